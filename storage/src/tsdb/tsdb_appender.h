// The store's Appender (tsdb_appender.cc): stages through the head, commits through it.
#pragma once

#include <memory>

#include "tidemark/storage/appender.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

std::unique_ptr<Appender> NewTsdbAppender(Head& head, ChunkStore& store);

}  // namespace tidemark::tsdb
