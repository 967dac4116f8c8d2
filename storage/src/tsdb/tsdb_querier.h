// The store's Querier (tsdb_querier.cc): selects through the head, reads chunks from the store.
#pragma once

#include <memory>

#include "tidemark/storage/querier.h"
#include "tsdb/chunk_store.h"
#include "tsdb/head.h"

namespace tidemark::tsdb {

// Neither the querier nor its series sets may outlive `head` and `store`.
std::unique_ptr<Querier> NewTsdbQuerier(Head& head, ChunkStore& store, Timestamp mint,
                                        Timestamp maxt);

}  // namespace tidemark::tsdb
