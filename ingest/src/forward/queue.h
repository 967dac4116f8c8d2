// One endpoint's queue: a reader thread follows the store's commit log from the endpoint's
// cursor and hands samples to shards by series hash; each shard batches, posts and retries; the
// cursor advances (durably) past a commit once every sample of it is acknowledged or dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "forward/write_request.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/ingest/remote_write_sender.h"

namespace tidemark::ingest {

class RemoteWriteQueue {
 public:
  RemoteWriteQueue(RemoteWriteConfig config, SenderOptions options, CommitLog& log,
                   MetricsRegistry& metrics, SenderClock& clock);
  ~RemoteWriteQueue();  // Stop()
  RemoteWriteQueue(const RemoteWriteQueue&) = delete;
  RemoteWriteQueue& operator=(const RemoteWriteQueue&) = delete;

  // Opens the cursor and starts the threads.
  Status Start();
  // Stops the threads; batches in flight are abandoned (their commits are re-sent next time).
  void Stop();
  const RemoteWriteConfig& config() const { return cfg_; }
  RemoteWriteEndpointStatus EndpointStatus() const;

 private:
  struct Series {
    Labels labels;       // as sent: external labels added, write relabelling applied
    bool drop = false;   // relabelled away or a rule series not forwarded
    uint64_t hash = 0;
  };
  struct Item {
    uint64_t seq;
    std::shared_ptr<const Series> series;
    Timestamp t;
    double v;
  };
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;  // items arrived / room freed / stop
    std::deque<Item> q;
    bool quit = false;  // resharding: leave once q is empty
    httpclient::Session session;  // the shard's kept-alive connection to the endpoint
    forward::WriteRequestEncoder encoder;
    std::thread thread;
  };
  struct PendingCommit {
    uint64_t seq;
    uint64_t remaining;
    Timestamp max_t;
  };

  void ReadLoop();
  // Dispatches one commit's samples; false when stopping.
  bool Dispatch(uint64_t seq, std::span<const CommittedSample> samples);
  Result<std::shared_ptr<const Series>> Resolve(SeriesRef ref);
  void ShardLoop(Shard& shard);
  void StartShards(int n);
  // Every kReshardEvery, from the reader thread: more shards while the reader waited on full
  // queues and sends succeeded, fewer while it idled; resharding first drains every shard, so
  // a series never has samples in two shards at once.
  void MaybeReshard();
  // Sends `batch` until acknowledged, refused or dropped as too old; false when stopping.
  bool SendWithRetry(Shard& shard, std::vector<Item>& batch);
  // After a 2xx: how many of the batch's `n` samples the receiver says it wrote (remote-write
  // 2.0's X-Prometheus-Remote-Write-*-Written headers), or `n` when it says nothing and the
  // request was 1.0.
  uint64_t WrittenSamples(const httpclient::Response& resp, uint64_t n) const;
  // Marks items consumed and advances the cursor over completed commits.
  void Complete(const std::vector<Item>& items);
  void CountDropped(uint64_t n, const char* why);
  void UpdateLag();
  void Warn(const std::string& msg, std::vector<std::pair<std::string, std::string>> kv) const;

  const RemoteWriteConfig cfg_;
  const SenderOptions opts_;
  CommitLog& log_;
  SenderClock& clock_;
  const std::string reader_;
  std::shared_ptr<const httpclient::Client> client_;
  relabel::Relabeler relabeler_;

  // Metrics (owned by the registry).
  Counter *sent_, *failed_, *retried_, *dropped_, *bytes_;
  Gauge *pending_, *highest_sent_, *shards_gauge_, *lag_;
  Histogram* duration_;

  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Shard>> shards_;  // changed by the reader thread only
  std::atomic<int> num_shards_{0};
  // Reshard inputs since the last decision (reader thread, plus the flag from the shards).
  std::chrono::steady_clock::time_point reshard_at_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration blocked_{};
  bool idle_ = true;  // no shard queue reached a full batch
  std::atomic<bool> send_failed_{false};
  std::thread reader_thread_;
  std::unordered_map<SeriesRef, std::shared_ptr<const Series>> series_cache_;  // reader only

  mutable std::mutex track_mu_;  // guards the fields below
  std::deque<PendingCommit> pending_commits_;  // by seq
  uint64_t acked_seq_ = 0;
  uint64_t read_seq_ = 0;
  Timestamp last_read_t_ = kMinTimestamp;
  Timestamp highest_sent_t_ = kMinTimestamp;
  std::string last_error_;
  uint64_t unlogged_drops_ = 0;
  int64_t last_drop_log_ms_ = 0;
  std::mutex advance_mu_;  // one durable cursor write at a time, in order
};

}  // namespace tidemark::ingest
