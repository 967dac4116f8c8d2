// Admin deletion of samples of matching series in [mint, maxt]: the series' head is cut first
// (so the head log can never bring the samples back), then affected chunks are rewritten.
#include <algorithm>

#include <rocksdb/write_batch.h>

#include "tsdb/chunk_reader.h"
#include "tsdb/keys.h"
#include "tsdb/persisted_postings.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Status TsdbStorage::DeleteSeries(const Matchers& matchers, Timestamp mint, Timestamp maxt) {
  std::lock_guard lock(commit_mu_);
  if (closed_.load()) return Status::Unavailable("storage is closed");
  if (ConsultPersisted(mint)) {
    // Matching inactive series become resident for the rewrite below (the head truncation
    // evicts them again); commit_mu_ keeps eviction and retention away meanwhile.
    TM_ASSIGN_OR_RETURN(Postings on_disk,
                        SelectPersistedPostings(db_.get(), cf(kPost), cf(kSeries), matchers));
    Postings absent;
    {
      std::shared_lock ilock(index_mu_);
      for (SeriesRef ref : on_disk) {
        if (!SeriesByRefLocked(ref)) absent.push_back(ref);
      }
    }
    std::vector<PersistedSeries> inactive;
    TM_RETURN_IF_ERROR(SelectInactive(absent, mint, maxt, &inactive));
    std::vector<SeriesRef> refs;
    for (const auto& p : inactive) refs.push_back(p.ref);
    TM_RETURN_IF_ERROR(LoadRefs(refs));
  }
  std::vector<HeadSeries*> targets;
  {
    std::shared_lock ilock(index_mu_);
    for (SeriesRef ref : postings_.Select(matchers)) {
      HeadSeries* s = SeriesByRefLocked(ref);
      if (!s || !s->Overlaps(mint, maxt)) continue;
      targets.push_back(s);
      std::lock_guard slock(StripeFor(ref));
      if (s->has_head()) {
        s->SealAll(&cut_);
        PublishCuts();
        marks_.push_back({s, next_seq_, 0});
      }
    }
  }
  TM_RETURN_IF_ERROR(WriteSeals());
  ++rewrite_gen_;

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf(kChunks)));
  const std::vector<int64_t> all_parts = PartitionsFor(kMinTimestamp, kMaxTimestamp - kMaxStoredSpanMs);
  const std::vector<int64_t> parts = PartitionsFor(mint, maxt);
  std::vector<StoredChunk> chunks;
  std::vector<int64_t> new_parts;
  for (HeadSeries* s : targets) {
    rocksdb::WriteBatch batch;
    chunks.clear();
    TM_RETURN_IF_ERROR(ReadSeriesChunks(it.get(), parts, s->ref(), mint, maxt, &chunks, true));
    for (const auto& c : chunks) {
      TM_ASSIGN_OR_RETURN(auto ch, chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding),
                                                         chunk::AsBytes(c.bytes)));
      TM_ASSIGN_OR_RETURN(std::vector<Sample> samples, chunk::DecodeAll(*ch));
      std::erase_if(samples, [&](const Sample& x) { return x.t >= mint && x.t <= maxt; });
      batch.Delete(cf(kChunks), c.key).PermitUncheckedError();
      if (samples.empty()) continue;
      ChunkKey k{PartitionOf(samples.back().t), s->ref(), samples.back().t, next_chunk_id_++};
      new_parts.push_back(k.partition);
      batch.Put(cf(kChunks), EncodeChunkKey(k),
                EncodeChunkValue(static_cast<uint8_t>(chunk::Encoding::kXor), samples.front().t,
                                 chunk::EncodeXor(samples)))
          .PermitUncheckedError();
      QueueCold(&batch, samples.front().t, s->ref(), k.id);
    }
    TM_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "delete series"));
    // Recompute the series' bounds from what is left on disk (the head is empty now).
    std::unique_ptr<rocksdb::Iterator> it2(db_->NewIterator({}, cf(kChunks)));
    chunks.clear();
    TM_RETURN_IF_ERROR(ReadSeriesChunks(it2.get(), all_parts, s->ref(), kMinTimestamp,
                                        kMaxTimestamp - kMaxStoredSpanMs, &chunks));
    Timestamp mn = kMaxTimestamp, mx = kMinTimestamp;
    for (const auto& c : chunks) {
      mn = std::min(mn, c.mint);
      mx = std::max(mx, c.maxt);
    }
    HeadMark hm{next_seq_, 0, mn, mx};
    {
      std::lock_guard slock(StripeFor(s->ref()));
      s->SetPersistedRange(mn, mx);
      s->ResetBounds(mn, mx);
    }
    TM_RETURN_IF_ERROR(FromRocks(
        db_->Put(rocksdb::WriteOptions(), cf(kHeadMark), HeadMarkKey(s->ref()), EncodeHeadMark(hm)),
        "delete series: head mark"));
  }
  std::string id;
  PutVarint64(&id, next_chunk_id_);
  TM_RETURN_IF_ERROR(FromRocks(db_->Put(rocksdb::WriteOptions(), cf(kMeta), kMetaNextChunkId, id),
                               "delete series: chunk id"));
  std::lock_guard plock(part_mu_);
  partitions_.insert(new_parts.begin(), new_parts.end());
  return Status::OK();
}

}  // namespace tidemark::tsdb
