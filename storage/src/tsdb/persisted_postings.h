// Matcher evaluation over the persisted `postings` column family: finds series that are not in
// memory (inactive ones) with the same semantics as PostingsIndex::Select.
#pragma once

#include <rocksdb/db.h>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/status.h"
#include "tsdb/postings_index.h"

namespace tidemark::tsdb {

// Refs of every persisted series whose labels satisfy all matchers (Prometheus semantics: a
// matcher accepting "" also accepts series without the label). `post` is the postings family,
// `series` the series family (only read when no matcher narrows the set). Reads one snapshot.
Result<Postings> SelectPersistedPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* post,
                                         rocksdb::ColumnFamilyHandle* series,
                                         const Matchers& matchers);

// Sorted union of two sorted, unique ref lists.
Postings UnionPostings(const Postings& a, const Postings& b);

}  // namespace tidemark::tsdb
