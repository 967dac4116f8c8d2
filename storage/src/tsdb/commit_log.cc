// The CommitLog over the head log: readers' cursors live in the state family (synced), and the
// lowest one holds the head log back from truncation (docs/format/keys.md).
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "tsdb/keys.h"
#include "tsdb/label_codec.h"
#include "tsdb/tsdb_storage.h"

namespace tidemark::tsdb {

Result<bool> Head::LabelsEncOf(SeriesRef ref, std::string* enc) {
  {
    std::shared_lock ilock(index_mu_);
    if (const HeadSeries* s = SeriesByRefLocked(ref)) {
      enc->assign(s->labels_enc());
      return true;
    }
  }
  return store_.ReadSeriesLabels(ref, enc, "commit log: read series");
}

namespace {

std::string CursorKey(std::string_view name) {
  return std::string(kStateCommitReaderPrefix).append(name);
}

class TsdbCommitLog final : public CommitLog {
 public:
  TsdbCommitLog(Head& head, ChunkStore& store) : head_(head), store_(store) {}

  // Reads the persisted cursors and sets the head's hold (before recovery truncates).
  Status Load() {
    std::lock_guard lock(mu_);
    const std::string prefix = kStateCommitReaderPrefix;
    TM_RETURN_IF_ERROR(store_.ScanState(prefix, [&](std::string_view k, std::string_view v) {
      if (v.size() != 8) return Status::Corruption("commit log: malformed reader cursor");
      cursors_[std::string(k.substr(prefix.size()))] = GetBE64(v.data());
      return Status::OK();
    }));
    UpdateHoldLocked();
    return Status::OK();
  }

  Result<uint64_t> OpenReader(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto it = cursors_.find(std::string(name));
    if (it != cursors_.end()) return it->second;
    const uint64_t seq = head_.last_seq();
    TM_RETURN_IF_ERROR(PutCursor(name, seq));
    cursors_[std::string(name)] = seq;
    UpdateHoldLocked();
    return seq;
  }

  Status Advance(std::string_view name, uint64_t seq) override {
    std::lock_guard lock(mu_);
    auto it = cursors_.find(std::string(name));
    if (it == cursors_.end()) return Status::NotFound("commit log: no reader " + std::string(name));
    if (seq <= it->second) return Status::OK();
    TM_RETURN_IF_ERROR(PutCursor(name, seq));
    it->second = seq;
    UpdateHoldLocked();
    return Status::OK();
  }

  Status RemoveReader(std::string_view name) override {
    std::lock_guard lock(mu_);
    if (cursors_.erase(std::string(name)) == 0) return Status::OK();
    TM_RETURN_IF_ERROR(store_.DeleteState(CursorKey(name)));
    UpdateHoldLocked();
    return Status::OK();
  }

  Result<std::vector<std::string>> Readers() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, seq] : cursors_) out.push_back(name);
    return out;
  }

  Status Read(uint64_t after, size_t max_samples,
              const std::function<bool(uint64_t, std::span<const CommittedSample>)>& fn) override {
    if (store_.closed()) return Status::Unavailable("storage is closed");
    size_t delivered = 0;
    std::vector<CommittedSample> samples;
    return store_.ReadHeadLog(after + 1, [&](uint64_t seq, std::string_view rec) -> Result<bool> {
      samples.clear();
      TM_RETURN_IF_ERROR(DecodeHeadLogRecord(rec, [&](const LoggedSample& s) {
        samples.push_back({s.ref, s.t, s.v});
      }));
      delivered += samples.size();
      return fn(seq, samples) && delivered < max_samples;
    });
  }

  uint64_t LastSeq() const override { return head_.last_seq(); }

  Result<std::optional<Labels>> SeriesLabels(SeriesRef ref) override {
    std::string enc;
    TM_ASSIGN_OR_RETURN(bool found, head_.LabelsEncOf(ref, &enc));
    if (!found) return std::optional<Labels>();
    TM_ASSIGN_OR_RETURN(Labels l, DecodeLabels(enc));
    return std::optional<Labels>(std::move(l));
  }

 private:
  Status PutCursor(std::string_view name, uint64_t seq) {
    std::string v;
    PutBE64(&v, seq);
    return store_.PutState(CursorKey(name), v);
  }
  void UpdateHoldLocked() {
    uint64_t hold = kNoLogHold;
    for (const auto& [name, seq] : cursors_) hold = std::min(hold, seq + 1);
    head_.SetLogHold(hold);
  }

  Head& head_;
  ChunkStore& store_;
  std::mutex mu_;  // leaf lock: guards cursors_
  std::map<std::string, uint64_t, std::less<>> cursors_;
};

}  // namespace

Result<std::unique_ptr<CommitLog>> NewTsdbCommitLog(Head& head, ChunkStore& store) {
  auto log = std::make_unique<TsdbCommitLog>(head, store);
  TM_RETURN_IF_ERROR(log->Load());
  return std::unique_ptr<CommitLog>(std::move(log));
}

}  // namespace tidemark::tsdb
