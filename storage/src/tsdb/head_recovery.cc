// Open-time recovery: series registry and postings from RocksDB, head marks, chunk partitions,
// then the head log replayed into the head (skipping what the head marks say is persisted).
#include <algorithm>
#include <unordered_map>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status TsdbStorage::LoadSeries() {
  std::unordered_map<SeriesRef, uint64_t> hash_of;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHash)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != 16) return Status::Corruption("storage: malformed series hash key");
      uint64_t h = GetBE64(k.data());
      SeriesRef ref = GetBE64(k.data() + 8);
      hash_of[ref] = h;
      by_hash_.Insert(h, ref);
    }
    TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan series hashes"));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kSeries)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 8) return Status::Corruption("storage: malformed series key");
    SeriesRef ref = GetBE64(k.data());
    std::string enc(it->value().data(), it->value().size());
    uint64_t h = 0;
    auto hit = hash_of.find(ref);
    if (hit != hash_of.end()) {
      h = hit->second;
    } else {  // hash record missing (should not happen): recompute and index it
      TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(enc));
      h = SeriesHash(l);
      by_hash_.Insert(h, ref);
    }
    if (series_.size() <= ref) series_.resize(ref + 1 + series_.size() / 2);
    series_[ref] = std::make_unique<HeadSeries>(ref, h, std::move(enc));
    series_[ref]->persisted = true;
    postings_.Add(ref, series_[ref]->labels_enc());
    if (ref >= next_ref_) next_ref_ = ref + 1;
  }
  return FromRocks(it->status(), "storage: scan series");
}

Status TsdbStorage::LoadMarksAndPartitions() {
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHeadMark)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != 8) return Status::Corruption("storage: malformed head mark key");
      HeadMark m;
      if (!DecodeHeadMark(std::string_view(it->value().data(), it->value().size()), &m)) {
        return Status::Corruption("storage: malformed head mark");
      }
      HeadSeries* s = SeriesByRefLocked(GetBE64(k.data()));
      if (!s) continue;
      s->SetPersistedRange(m.persisted_min, m.persisted_max);
      s->cur_seq = m.seq;  // replay continues counting from the mark
      s->cur_ord = m.ord;
      Timestamp g = global_max_t_.load();
      if (m.persisted_max > g) global_max_t_.store(m.persisted_max);
    }
    TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan head marks"));
  }
  // Distinct partitions: one Seek per partition, not a full scan.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kChunks)));
  for (it->SeekToFirst(); it->Valid();) {
    rocksdb::Slice k = it->key();
    if (k.size() != kChunkKeySize) return Status::Corruption("storage: malformed chunk key");
    int64_t p = UnflipSign(GetBE64(k.data()));
    partitions_.insert(p);
    it->Seek(PartitionPrefix(p + 1));
  }
  return FromRocks(it->status(), "storage: scan partitions");
}

Status TsdbStorage::ReplayHeadLog() {
  // A series' mark (seq, ord) says: its samples in records before seq, and its first ord samples
  // in record seq, are persisted. cur_seq/cur_ord hold the mark until replay passes it.
  struct Mark {
    uint64_t seq, ord;
  };
  std::vector<Mark> marks(series_.size(), Mark{0, 0});
  uint64_t max_mark_seq = 0;
  for (size_t r = 0; r < series_.size(); ++r) {
    if (!series_[r]) continue;
    marks[r] = {series_[r]->cur_seq, series_[r]->cur_ord};
    max_mark_seq = std::max(max_mark_seq, series_[r]->cur_seq);
    series_[r]->cur_seq = 0;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kHeadLog)));
  uint64_t last_seq = 0;
  Status decode;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != 8) return Status::Corruption("storage: malformed head log key");
    const uint64_t seq = GetBE64(k.data());
    last_seq = seq;
    Timestamp batch_max = kMinTimestamp;
    decode = DecodeHeadLogRecord(
        std::string_view(it->value().data(), it->value().size()), [&](const LoggedSample& ls) {
          HeadSeries* s = SeriesByRefLocked(ls.ref);
          if (!s) return;  // series dropped by retention after its data was persisted
          if (s->cur_seq != seq) {
            s->cur_seq = seq;
            s->cur_ord = 0;
          }
          const Mark& m = marks[ls.ref];
          if (seq < m.seq || (seq == m.seq && s->cur_ord < m.ord)) {
            ++s->cur_ord;  // already in a persisted chunk
            return;
          }
          ApplyOne(s, seq, ls.t, ls.v);
          if (ls.t > batch_max) batch_max = ls.t;
        });
    TM_RETURN_IF_ERROR(decode);
    if (batch_max > global_max_t_.load()) global_max_t_.store(batch_max);
    if (sealed_.size() > 4096) TM_RETURN_IF_ERROR(WriteSeals());
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan head log"));
  // New records must not sort before a mark, or replay would take them for persisted ones.
  next_seq_ = std::max({next_seq_, last_seq + 1, max_mark_seq});
  // Samples re-applied during recovery were appended before this open.
  appended_.store(0);
  return WriteSeals();
}

}  // namespace tidemark::tsdb
