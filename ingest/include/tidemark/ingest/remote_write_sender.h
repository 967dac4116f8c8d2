// The remote-write sender (Prometheus' remote_write): forwards everything committed to the store
// to one or more endpoints, reading its backlog from the store's commit log through a durable
// per-endpoint cursor (docs/architecture.md "Remote-write sender").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/relabel.h"
#include "tidemark/storage/model/status.h"
#include "tidemark/storage/storage.h"

namespace tidemark::ingest {

// Prometheus' queue_config, with its defaults.
struct QueueConfig {
  int capacity = 10000;  // samples buffered per shard before reading pauses
  int min_shards = 1;
  int max_shards = 50;
  int max_samples_per_send = 2000;
  int64_t batch_send_deadline_ms = 5000;
  int64_t min_backoff_ms = 30;
  int64_t max_backoff_ms = 5000;
  bool retry_on_http_429 = false;
};

// One remote_write entry, validated (app/remote_write_config.cc parses the YAML).
struct RemoteWriteConfig {
  std::string url;
  std::string name;  // remote_name: the configured name, else a hash of the URL
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t remote_timeout_ms = 30'000;
  httpclient::ClientConfig http;
  std::vector<relabel::Config> write_relabel_configs;
  QueueConfig queue;
  // protobuf_message: io.prometheus.write.v2.Request (remote-write 2.0) instead of 1.0's
  // prometheus.WriteRequest.
  bool write_v2 = false;
  // Ours: commits whose newest sample is older than this (against the sender's clock) are
  // dropped, counted, and no longer held in the store.
  int64_t max_backlog_age_ms = 2LL * 3600 * 1000;
  // Ours: whether recording-rule results and ALERTS/ALERTS_FOR_STATE are forwarded (as
  // Prometheus does: it forwards everything in its TSDB).
  bool send_rule_series = true;
  std::string fingerprint;  // the entry as written: a reload restarts the queue only if it changed
};

// Time for backoff, backlog age and rate-limited logs (tests inject a fake one).
class SenderClock {
 public:
  virtual ~SenderClock() = default;
  virtual int64_t NowMs() const = 0;  // ms since the Unix epoch
  // Sleeps `ms` or until `stop` is set.
  virtual void Sleep(int64_t ms, const std::atomic<bool>& stop) = 0;
};
std::unique_ptr<SenderClock> NewSystemSenderClock();

// What /api/v1/status/remote_write shows for one endpoint.
struct RemoteWriteEndpointStatus {
  std::string name, url;  // url with any password masked
  uint64_t cursor = 0;          // last commit acknowledged (durable)
  uint64_t last_commit = 0;     // newest commit in the store
  int shards = 0;
  double samples_sent = 0, samples_failed = 0, samples_retried = 0, samples_dropped = 0;
  double samples_pending = 0;
  double highest_sent_timestamp_seconds = 0;
  double lag_seconds = 0;
  std::string last_error;  // of the last failed send, "" when the last send succeeded
};

struct SenderOptions {
  Labels external_labels;
  // Whether a series is a recording-rule result (for send_rule_series: false); ALERTS and
  // ALERTS_FOR_STATE are always rule series. May be empty.
  std::function<bool(std::string_view metric_name)> is_recorded_metric;
  // Warnings (send failures, drops at most once a minute): a message and `key=value` details.
  std::function<void(const std::string& msg, const std::string& details)> warn;
};

class RemoteWriteQueue;

// All endpoints. Apply() starts, restarts (changed config) and stops queues; a removed
// endpoint's cursor is removed from the store, releasing its backlog.
class RemoteWriteSender {
 public:
  RemoteWriteSender(Storage& storage, MetricsRegistry& metrics, SenderClock& clock);
  ~RemoteWriteSender();
  RemoteWriteSender(const RemoteWriteSender&) = delete;
  RemoteWriteSender& operator=(const RemoteWriteSender&) = delete;

  // Fails on duplicate names, or when endpoints are configured and the store keeps no commit
  // log (the in-memory engine); a queue that cannot start is reported, the others run.
  Status Apply(std::vector<RemoteWriteConfig> configs, SenderOptions options);
  void Stop();
  std::vector<RemoteWriteEndpointStatus> Statuses() const;

 private:
  Storage& storage_;
  MetricsRegistry& metrics_;
  SenderClock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<RemoteWriteQueue>> queues_;  // by name
};

// The reader name of an endpoint in the store's commit log.
std::string CommitReaderName(const std::string& remote_name);

}  // namespace tidemark::ingest
