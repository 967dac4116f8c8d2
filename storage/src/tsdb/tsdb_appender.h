// The store's Appender (tsdb_appender.cc): stages through the head, commits through it.
#pragma once

#include <memory>

#include "tidemark/storage/appender.h"
#include "tidemark/storage/change_tracker.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

// Each commit is reported to `changes` once it is visible.
std::unique_ptr<Appender> NewTsdbAppender(Head& head, ChunkStore& store, ChangeTracker& changes);

}  // namespace tidemark::tsdb
