// ChunkStore reads of series rows, head marks, postings and the head log (layouts in keys.h).
#include <memory>

#include "tsdb/chunk_store.h"
#include "tsdb/label_codec.h"
#include "tsdb/persisted_postings.h"
#include "tsdb/series_hash_table.h"

namespace tidemark::tsdb {

Result<bool> ChunkStore::ReadSeries(SeriesRef ref, bool want_hash, PersistedSeries* out) {
  out->ref = ref;
  rocksdb::Status st = db_->Get({}, cf(kSeries), SeriesKey(ref), &out->labels_enc);
  if (st.IsNotFound()) return false;
  TM_RETURN_IF_ERROR(FromRocks(st, "storage: read series"));
  if (want_hash) {
    TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(out->labels_enc));
    out->hash = SeriesHash(l);
  }
  std::string v;
  st = db_->Get({}, cf(kHeadMark), HeadMarkKey(ref), &v);
  out->has_mark = st.ok();
  out->mark = HeadMark{};
  if (st.ok()) {
    if (!DecodeHeadMark(v, &out->mark)) return Status::Corruption("storage: malformed head mark");
  } else if (!st.IsNotFound()) {
    return FromRocks(st, "storage: read head mark");
  }
  return true;
}

Result<bool> ChunkStore::ReadSeriesLabels(SeriesRef ref, std::string* enc, std::string_view what) {
  rocksdb::Status st = db_->Get({}, cf(kSeries), SeriesKey(ref), enc);
  if (st.IsNotFound()) return false;
  TM_RETURN_IF_ERROR(FromRocks(st, what));
  return true;
}

Result<bool> ChunkStore::FindSeries(uint64_t hash, const std::string& enc, PersistedSeries* out) {
  std::string prefix;
  PutBE64(&prefix, hash);
  std::vector<SeriesRef> candidates;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHash)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != 16) return Status::Corruption("storage: malformed series hash key");
      candidates.push_back(GetBE64(it->key().data() + 8));
    }
    TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan series hashes"));
  }
  for (SeriesRef ref : candidates) {  // hash collisions: compare the labels
    TM_ASSIGN_OR_RETURN(bool found, ReadSeries(ref, false, out));
    if (found && out->labels_enc == enc) {
      out->hash = hash;
      return true;
    }
  }
  return false;
}

Status ChunkStore::SeriesWithData(const Postings& candidates, Timestamp mint, Timestamp maxt,
                                  std::vector<PersistedSeries>* out) {
  for (SeriesRef ref : candidates) {
    PersistedSeries p;
    TM_ASSIGN_OR_RETURN(bool found, ReadSeries(ref, false, &p));
    if (!found || !p.has_mark) continue;  // no record, or never had persisted data
    if (!PersistedSpanOverlaps(p.mark.persisted_min, p.mark.persisted_max, mint, maxt)) continue;
    out->push_back(std::move(p));
  }
  return Status::OK();
}

Result<SeriesRef> ChunkStore::LastSeriesRef() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kSeries)));
  it->SeekToLast();
  SeriesRef last = 0;
  if (it->Valid()) {
    if (it->key().size() != 8) return Status::Corruption("storage: malformed series key");
    last = GetBE64(it->key().data());
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan series"));
  return last;
}

Status ChunkStore::ForEachSeries(const std::function<Status(PersistedSeries&&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kSeries)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("storage: malformed series key");
    PersistedSeries p;
    p.ref = GetBE64(it->key().data());
    p.labels_enc.assign(it->value().data(), it->value().size());
    TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(p.labels_enc));
    p.hash = SeriesHash(l);
    TM_RETURN_IF_ERROR(fn(std::move(p)));
  }
  return FromRocks(it->status(), "storage: scan series");
}

Status ChunkStore::ForEachHeadMark(const std::function<Status(SeriesRef, const HeadMark&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHeadMark)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 8) return Status::Corruption("storage: malformed head mark key");
    HeadMark m;
    if (!DecodeHeadMark(std::string_view(it->value().data(), it->value().size()), &m)) {
      return Status::Corruption("storage: malformed head mark");
    }
    TM_RETURN_IF_ERROR(fn(GetBE64(k.data()), m));
  }
  return FromRocks(it->status(), "storage: scan head marks");
}

Status ChunkStore::ForEachHeadLogRecord(
    uint64_t from, const std::function<Status(uint64_t, std::string_view)>& fn) {
  return ReadHeadLog(from, [&fn](uint64_t seq, std::string_view rec) -> Result<bool> {
    TM_RETURN_IF_ERROR(fn(seq, rec));
    return true;
  });
}

Status ChunkStore::ReadHeadLog(
    uint64_t from, const std::function<Result<bool>(uint64_t, std::string_view)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHeadLog)));
  for (it->Seek(HeadLogKey(from)); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 8) return Status::Corruption("storage: malformed head log key");
    TM_ASSIGN_OR_RETURN(bool more,
                        fn(GetBE64(k.data()), std::string_view(it->value().data(), it->value().size())));
    if (!more) return Status::OK();
  }
  return FromRocks(it->status(), "storage: scan head log");
}

Status ChunkStore::PutHeadLogReplayFrom(uint64_t seq, std::string_view what) {
  std::string enc;
  AppendUvarint(&enc, seq);
  return FromRocks(db_->Put(rocksdb::WriteOptions(), cf(kMeta), kMetaHeadLogReplayFrom, enc), what);
}

Result<uint64_t> ChunkStore::HeadLogReplayFrom() {
  std::string v;
  rocksdb::Status st = db_->Get({}, cf(kMeta), kMetaHeadLogReplayFrom, &v);
  if (st.IsNotFound()) return uint64_t{0};
  TM_RETURN_IF_ERROR(FromRocks(st, "storage: read head log replay start"));
  std::string_view in(v);
  uint64_t seq = 0;
  if (!ReadUvarint(&in, &seq)) return Status::Corruption("storage: malformed head log replay start");
  return seq;
}

Result<Postings> ChunkStore::SelectPostings(const Matchers& matchers) {
  return SelectPersistedPostings(db_.get(), cf(kPost), cf(kSeries), matchers);
}

Result<std::vector<MetricCardinality>> ChunkStore::CountSeriesByValue(std::string_view name) {
  // All refs of one (name, value) are one contiguous key range: count runs.
  std::string prefix;
  AppendUvarint(&prefix, name.size());
  prefix.append(name);
  std::vector<MetricCardinality> counts;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kPost)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    uint64_t len = 0;
    if (!ReadUvarint(&rest, &len) || rest.size() != len + 8) {
      return Status::Corruption("storage: malformed postings key");
    }
    std::string_view value = rest.substr(0, len);
    if (counts.empty() || counts.back().name != value) counts.push_back({std::string(value), 0});
    ++counts.back().value;
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "stats: scan postings"));
  return counts;
}

}  // namespace tidemark::tsdb
