// The endpoint queue (queue.h): read, shard, batch, send with Prometheus' retry rules, and
// acknowledge commits in order.
#include "forward/queue.h"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "forward/write_request.h"

namespace tidemark::ingest {

namespace {

// How many samples the reader takes from the log per read (it blocks on full shards anyway).
constexpr size_t kReadChunkSamples = 10000;
// The reader polls the log this often when it has caught up.
constexpr auto kIdlePoll = std::chrono::milliseconds(20);
// Bounds the ref -> series cache (refs of series long gone stop being asked for).
constexpr size_t kMaxCachedSeries = 4'000'000;
constexpr int64_t kDropLogEveryMs = 60'000;
constexpr auto kReshardEvery = std::chrono::seconds(10);

// Prometheus' Retry-After: whole seconds or an HTTP date; <= 0 means use the backoff.
int64_t RetryAfterMs(const std::string& v, int64_t now_ms) {
  if (v.empty()) return 0;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return v.size() > 9 ? 0 : std::stoll(v) * 1000;
  }
  struct tm tm {};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000 - now_ms;
}

bool IsRuleSeriesName(std::string_view name, const SenderOptions& o) {
  if (name == "ALERTS" || name == "ALERTS_FOR_STATE") return true;
  return o.is_recorded_metric && o.is_recorded_metric(name);
}

}  // namespace

RemoteWriteQueue::RemoteWriteQueue(RemoteWriteConfig config, SenderOptions options,
                                   CommitLog& log, MetricsRegistry& metrics, SenderClock& clock)
    : cfg_(std::move(config)),
      opts_(std::move(options)),
      log_(log),
      clock_(clock),
      reader_(CommitReaderName(cfg_.name)) {
  const std::vector<std::string> names{"remote_name", "url"};
  const std::vector<std::string> values{cfg_.name, httpclient::RedactUrlPassword(cfg_.url)};
  sent_ = metrics.GetCounter("prometheus_remote_storage_samples_total",
                             "Total number of samples sent to remote storage.", names, values);
  failed_ = metrics.GetCounter("prometheus_remote_storage_samples_failed_total",
                               "Total number of samples which failed on send to remote storage, "
                               "non-recoverable errors.",
                               names, values);
  retried_ = metrics.GetCounter("prometheus_remote_storage_samples_retried_total",
                                "Total number of samples which failed on send to remote storage "
                                "but were retried because the send error was recoverable.",
                                names, values);
  dropped_ = metrics.GetCounter("prometheus_remote_storage_samples_dropped_total",
                                "Total number of samples which were dropped after being read from "
                                "the store before being sent: relabelled away, rule series not "
                                "forwarded, or older than max_backlog_age.",
                                names, values);
  bytes_ = metrics.GetCounter("prometheus_remote_storage_bytes_total",
                              "The total number of bytes of data (not metadata) sent by the queue "
                              "after compression.",
                              names, values);
  pending_ = metrics.GetGauge("prometheus_remote_storage_samples_pending",
                              "The number of samples pending in the queues shards to be sent to "
                              "the remote storage.",
                              names, values);
  highest_sent_ = metrics.GetGauge("prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                                   "Timestamp from a WAL sample, the highest timestamp "
                                   "successfully sent by this queue, in seconds since epoch.",
                                   names, values);
  shards_gauge_ = metrics.GetGauge("prometheus_remote_storage_shards",
                                   "The number of shards used for parallel sending to the remote "
                                   "storage.",
                                   names, values);
  lag_ = metrics.GetGauge("tidemark_remote_storage_lag_seconds",
                          "How far behind the store the endpoint is: 0 when every commit is "
                          "acknowledged, else the age of the oldest unacknowledged one (now minus "
                          "its newest sample).",
                          names, values);
  duration_ = metrics.GetHistogram("prometheus_remote_storage_sent_batch_duration_seconds",
                                   "Duration of send calls to the remote storage.",
                                   DefaultLatencyBuckets(), names, values);
}

RemoteWriteQueue::~RemoteWriteQueue() { Stop(); }

Status RemoteWriteQueue::Start() {
  TM_ASSIGN_OR_RETURN(client_, httpclient::Client::Create(cfg_.http));
  TM_ASSIGN_OR_RETURN(relabeler_, relabel::Relabeler::Compile(cfg_.write_relabel_configs));
  TM_ASSIGN_OR_RETURN(const uint64_t cursor, log_.OpenReader(reader_));
  {
    std::lock_guard lock(track_mu_);
    acked_seq_ = read_seq_ = cursor;
  }
  StartShards(std::max(1, cfg_.queue.min_shards));
  reader_thread_ = std::thread([this] { ReadLoop(); });
  return Status::OK();
}

void RemoteWriteQueue::StartShards(int n) {
  shards_.clear();
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
  for (auto& s : shards_) {
    Shard* sp = s.get();
    s->thread = std::thread([this, sp] { ShardLoop(*sp); });
  }
  num_shards_.store(n);
  shards_gauge_->Set(n);
}

void RemoteWriteQueue::MaybeReshard() {
  const auto now = std::chrono::steady_clock::now();
  if (now - reshard_at_ < kReshardEvery) return;
  const int n = static_cast<int>(shards_.size());
  int want = n;
  const bool failed = send_failed_.exchange(false);
  if (!failed && blocked_ * 2 > now - reshard_at_) {
    want = std::min(cfg_.queue.max_shards, n * 2);
  } else if (idle_ && blocked_ == std::chrono::steady_clock::duration::zero()) {
    want = std::max(cfg_.queue.min_shards, n / 2);
  }
  reshard_at_ = now;
  blocked_ = {};
  idle_ = true;
  if (want == n) return;
  // Drain: the reader is the only producer, so once every shard is empty and idle no series
  // has a sample in flight.
  for (auto& sh : shards_) {
    std::unique_lock lock(sh->mu);
    sh->quit = true;
    sh->cv.notify_all();
  }
  for (auto& sh : shards_) {
    if (sh->thread.joinable()) sh->thread.join();
  }
  if (stop_.load()) return;
  StartShards(want);
}

void RemoteWriteQueue::Stop() {
  if (stop_.exchange(true)) return;
  // The reader first: it alone changes shards_ (resharding), and it sees stop_ within a second.
  if (reader_thread_.joinable()) reader_thread_.join();
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    s->cv.notify_all();
  }
  for (auto& s : shards_) {
    if (s->thread.joinable()) s->thread.join();
  }
}

// ---- reading ----

void RemoteWriteQueue::ReadLoop() {
  while (!stop_.load()) {
    uint64_t from;
    {
      std::lock_guard lock(track_mu_);
      from = read_seq_;
    }
    // Copied out first: dispatching may wait for the shards for as long as the receiver is
    // down, and an open read would pin the store's files all that time.
    std::vector<std::pair<uint64_t, std::vector<CommittedSample>>> commits;
    Status st = log_.Read(from, kReadChunkSamples,
                          [&](uint64_t seq, std::span<const CommittedSample> samples) {
                            commits.emplace_back(seq, std::vector<CommittedSample>(samples.begin(), samples.end()));
                            return true;
                          });
    const size_t got = commits.size();
    for (const auto& [seq, samples] : commits) {
      if (!Dispatch(seq, samples)) break;
    }
    UpdateLag();
    if (!st.ok()) {
      Warn("remote write: reading the store failed", {{"err", st.ToString()}});
      clock_.Sleep(1000, stop_);
      continue;
    }
    if (got == 0) std::this_thread::sleep_for(kIdlePoll);
    MaybeReshard();
  }
}

Result<std::shared_ptr<const RemoteWriteQueue::Series>> RemoteWriteQueue::Resolve(SeriesRef ref) {
  auto it = series_cache_.find(ref);
  if (it != series_cache_.end()) return it->second;
  TM_ASSIGN_OR_RETURN(std::optional<Labels> stored, log_.SeriesLabels(ref));
  auto s = std::make_shared<Series>();
  if (!stored) {
    s->drop = true;  // deleted since it was committed
  } else {
    // As Prometheus: external labels first (a series' own label wins), then write relabelling.
    LabelsBuilder lb(*stored);
    for (const Label& el : opts_.external_labels.items()) {
      if (!stored->Has(el.name)) lb.Set(el.name, el.value);
    }
    s->drop = (!cfg_.send_rule_series && IsRuleSeriesName(stored->MetricName(), opts_)) ||
              !relabeler_.Apply(lb);
    s->labels = lb.Build();
    s->drop = s->drop || s->labels.empty();
    s->hash = s->labels.Hash();
  }
  if (series_cache_.size() >= kMaxCachedSeries) series_cache_.clear();
  series_cache_.emplace(ref, s);
  return std::shared_ptr<const Series>(std::move(s));
}

bool RemoteWriteQueue::Dispatch(uint64_t seq, std::span<const CommittedSample> samples) {
  Timestamp max_t = kMinTimestamp;
  for (const auto& s : samples) max_t = std::max(max_t, s.t);
  const bool too_old = !samples.empty() && max_t < clock_.NowMs() - cfg_.max_backlog_age_ms;
  std::vector<Item> items;
  uint64_t dropped = 0;
  if (too_old) {
    dropped = samples.size();
  } else {
    items.reserve(samples.size());
    for (const auto& s : samples) {
      auto series = Resolve(s.ref);
      if (!series.ok()) {
        Warn("remote write: reading series labels failed", {{"err", series.status().ToString()}});
        return false;  // re-read this commit later
      }
      if ((*series)->drop) {
        ++dropped;
        continue;
      }
      items.push_back({seq, std::move(*series), s.t, s.v});
    }
  }
  {
    std::lock_guard lock(track_mu_);
    pending_commits_.push_back({seq, items.size(), max_t});
    read_seq_ = seq;
    if (max_t > kMinTimestamp) last_read_t_ = max_t;
  }
  if (dropped > 0) CountDropped(dropped, too_old ? "older than max_backlog_age" : "relabelled or not forwarded");
  pending_->Add(static_cast<double>(items.size()));
  if (items.empty()) Complete({});
  const size_t cap = static_cast<size_t>(std::max(1, cfg_.queue.capacity));
  for (auto& it : items) {
    Shard& sh = *shards_[it.series->hash % shards_.size()];
    std::unique_lock lock(sh.mu);
    while (sh.q.size() >= cap && !stop_.load()) {
      const auto t0 = std::chrono::steady_clock::now();
      sh.cv.wait_for(lock, std::chrono::seconds(1));
      blocked_ += std::chrono::steady_clock::now() - t0;
      lock.unlock();
      UpdateLag();
      lock.lock();
    }
    if (stop_.load()) return false;
    sh.q.push_back(std::move(it));
    if (sh.q.size() >= static_cast<size_t>(cfg_.queue.max_samples_per_send)) {
      idle_ = false;  // a full batch waited: not a time to shed shards
      sh.cv.notify_all();
    }
  }
  return !stop_.load();
}

// ---- sending ----

void RemoteWriteQueue::ShardLoop(Shard& shard) {
  const size_t per_send = static_cast<size_t>(std::max(1, cfg_.queue.max_samples_per_send));
  std::vector<Item> batch;
  while (!stop_.load()) {
    {
      std::unique_lock lock(shard.mu);
      // A batch leaves when full, or batch_send_deadline after this wait began with data.
      if (shard.quit && shard.q.empty()) return;
      if (!shard.cv.wait_for(lock, std::chrono::milliseconds(100),
                             [&] { return stop_.load() || !shard.q.empty() || shard.quit; })) {
        continue;
      }
      if (shard.q.empty()) continue;
      auto deadline = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(cfg_.queue.batch_send_deadline_ms);
      shard.cv.wait_until(lock, deadline,
                          [&] { return stop_.load() || shard.quit || shard.q.size() >= per_send; });
      if (stop_.load()) return;
      const size_t n = std::min(per_send, shard.q.size());
      batch.assign(std::make_move_iterator(shard.q.begin()),
                   std::make_move_iterator(shard.q.begin() + static_cast<std::ptrdiff_t>(n)));
      shard.q.erase(shard.q.begin(), shard.q.begin() + static_cast<std::ptrdiff_t>(n));
      shard.cv.notify_all();  // room for the reader
    }
    if (!SendWithRetry(shard, batch)) return;
  }
}

bool RemoteWriteQueue::SendWithRetry(Shard& shard, std::vector<Item>& batch) {
  int64_t backoff = cfg_.queue.min_backoff_ms;
  std::vector<forward::OutSample> out;
  httpclient::Request req;
  req.url = cfg_.url;
  req.content_type = cfg_.write_v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                                    : "application/x-protobuf";
  req.timeout_ms = static_cast<int>(std::min<int64_t>(cfg_.remote_timeout_ms, 1 << 30));
  req.headers = cfg_.headers;
  req.headers.emplace_back("Content-Encoding", "snappy");
  req.headers.emplace_back("X-Prometheus-Remote-Write-Version", cfg_.write_v2 ? "2.0.0" : "0.1.0");
  const size_t fixed_headers = req.headers.size();
  int attempt = 0;
  for (;;) {
    // What aged past max_backlog_age while the receiver refused it is dropped.
    const Timestamp oldest_ok = clock_.NowMs() - cfg_.max_backlog_age_ms;
    auto old_end = std::stable_partition(batch.begin(), batch.end(),
                                         [&](const Item& i) { return i.t < oldest_ok; });
    if (old_end != batch.begin()) {
      std::vector<Item> old(std::make_move_iterator(batch.begin()), std::make_move_iterator(old_end));
      batch.erase(batch.begin(), old_end);
      CountDropped(old.size(), "older than max_backlog_age");
      Complete(old);
    }
    if (batch.empty()) return true;
    out.clear();
    for (const Item& i : batch) out.push_back({&i.series->labels, i.t, i.v});
    shard.encoder.Encode(out, cfg_.write_v2 ? forward::WireVersion::kV2 : forward::WireVersion::kV1, &req.body);
    // As Prometheus: a retry says which attempt it is.
    req.headers.resize(fixed_headers);
    if (attempt > 0) req.headers.emplace_back("Retry-Attempt", std::to_string(attempt));
    ++attempt;
    const auto t0 = std::chrono::steady_clock::now();
    auto resp = client_->Do(req, &shard.session);
    duration_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const double n = static_cast<double>(batch.size());
    if (resp.ok() && resp->status / 100 == 2) {
      const uint64_t written = WrittenSamples(*resp, batch.size());
      if (cfg_.write_v2 && written == 0) {
        // Prometheus 3's rule: a 2.0 receiver that answers 2xx but confirms nothing written is
        // probably a 1.0 receiver that ignored the Content-Type; the batch fails.
        failed_->Inc(n);
        const std::string err = "server answered " + std::to_string(resp->status) +
                                " but its remote-write 2.0 response headers say no sample was written "
                                "(a receiver that supports only remote-write 1.0?)";
        {
          std::lock_guard lock(track_mu_);
          last_error_ = err;
        }
        Warn("remote write: non-recoverable error, samples dropped",
             {{"url", httpclient::UrlHostForLog(cfg_.url)}, {"count", std::to_string(batch.size())}, {"err", err}});
        Complete(batch);
        return true;
      }
      if (written < batch.size()) {
        failed_->Inc(static_cast<double>(batch.size() - written));
        Warn("remote write: the receiver answered 2xx but says it wrote fewer samples than sent",
             {{"url", httpclient::UrlHostForLog(cfg_.url)},
              {"sent", std::to_string(batch.size())},
              {"written", std::to_string(written)}});
      }
      sent_->Inc(n);
      bytes_->Inc(static_cast<double>(req.body.size()));
      Timestamp hi = kMinTimestamp;
      for (const Item& i : batch) hi = std::max(hi, i.t);
      {
        std::lock_guard lock(track_mu_);
        highest_sent_t_ = std::max(highest_sent_t_, hi);
        highest_sent_->Set(static_cast<double>(highest_sent_t_) / 1000.0);
        last_error_.clear();
      }
      Complete(batch);
      return true;
    }
    const std::string err = resp.ok() ? "server returned HTTP status " + std::to_string(resp->status)
                                      : resp.status().ToString();
    {
      std::lock_guard lock(track_mu_);
      last_error_ = err;
    }
    const bool recoverable = !resp.ok() || resp->status / 100 == 5 ||
                             (resp->status == 429 && cfg_.queue.retry_on_http_429);
    if (!recoverable) {
      failed_->Inc(n);
      Warn("remote write: non-recoverable error, samples dropped",
           {{"url", httpclient::UrlHostForLog(cfg_.url)},
            {"count", std::to_string(batch.size())},
            {"err", err}});
      Complete(batch);
      return true;
    }
    retried_->Inc(n);
    send_failed_.store(true);
    int64_t sleep = backoff;
    if (resp.ok()) {
      const int64_t ra = RetryAfterMs(resp->Header("Retry-After"), clock_.NowMs());
      if (ra > 0) sleep = ra;
    }
    clock_.Sleep(sleep, stop_);
    if (stop_.load()) return false;
    backoff = std::min(backoff * 2, cfg_.queue.max_backoff_ms);
  }
}

uint64_t RemoteWriteQueue::WrittenSamples(const httpclient::Response& resp, uint64_t n) const {
  // As Prometheus' ParseWriteResponseStats: an absent header means 0 once any is present; with
  // none present nothing is confirmed (trusted for 1.0, "nothing written" for 2.0).
  bool confirmed = false;
  uint64_t samples = 0;
  for (const char* kind : {"Samples", "Histograms", "Exemplars"}) {
    const std::string v = resp.Header(std::string("X-Prometheus-Remote-Write-") + kind + "-Written");
    if (v.empty()) continue;
    confirmed = true;
    // We send only float samples, so only their count matters; a value that is no number is 0.
    const bool number = v.size() <= 18 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (kind[0] == 'S' && number) samples = std::stoull(v);
  }
  if (!confirmed) return cfg_.write_v2 ? 0 : n;
  return std::min(samples, n);
}

void RemoteWriteQueue::Complete(const std::vector<Item>& items) {
  uint64_t advance_to = 0;
  {
    std::lock_guard lock(track_mu_);
    for (const Item& i : items) {
      auto it = std::lower_bound(pending_commits_.begin(), pending_commits_.end(), i.seq,
                                 [](const PendingCommit& c, uint64_t s) { return c.seq < s; });
      if (it != pending_commits_.end() && it->seq == i.seq && it->remaining > 0) --it->remaining;
    }
    while (!pending_commits_.empty() && pending_commits_.front().remaining == 0) {
      acked_seq_ = pending_commits_.front().seq;
      pending_commits_.pop_front();
      advance_to = acked_seq_;
    }
  }
  pending_->Add(-static_cast<double>(items.size()));
  if (advance_to != 0) {
    std::lock_guard lock(advance_mu_);
    Status st = log_.Advance(reader_, advance_to);
    if (!st.ok()) {
      Warn("remote write: saving the cursor failed", {{"err", st.ToString()}});
    }
  }
  UpdateLag();
}

void RemoteWriteQueue::CountDropped(uint64_t n, const char* why) {
  dropped_->Inc(static_cast<double>(n));
  const int64_t now = clock_.NowMs();
  uint64_t total = 0;
  {
    std::lock_guard lock(track_mu_);
    unlogged_drops_ += n;
    if (now - last_drop_log_ms_ < kDropLogEveryMs) return;
    last_drop_log_ms_ = now;
    total = unlogged_drops_;
    unlogged_drops_ = 0;
  }
  Warn("remote write: samples dropped", {{"count", std::to_string(total)}, {"reason", why}});
}

void RemoteWriteQueue::UpdateLag() {
  const int64_t now = clock_.NowMs();
  const uint64_t last = log_.LastSeq();
  std::lock_guard lock(track_mu_);
  double lag = 0;
  if (!pending_commits_.empty()) {
    lag = static_cast<double>(now - pending_commits_.front().max_t) / 1000.0;
  } else if (read_seq_ < last && last_read_t_ > kMinTimestamp) {
    lag = static_cast<double>(now - last_read_t_) / 1000.0;
  }
  lag_->Set(std::max(0.0, lag));
}

void RemoteWriteQueue::Warn(const std::string& msg,
                            std::vector<std::pair<std::string, std::string>> kv) const {
  if (!opts_.warn) return;
  std::string details = "remote_name=" + cfg_.name;
  for (const auto& [k, v] : kv) details += " " + k + "=" + v;
  opts_.warn(msg, details);
}

RemoteWriteEndpointStatus RemoteWriteQueue::EndpointStatus() const {
  RemoteWriteEndpointStatus s;
  s.name = cfg_.name;
  s.url = httpclient::RedactUrlPassword(cfg_.url);
  s.last_commit = log_.LastSeq();
  s.shards = num_shards_.load();
  s.samples_sent = sent_->Value();
  s.samples_failed = failed_->Value();
  s.samples_retried = retried_->Value();
  s.samples_dropped = dropped_->Value();
  s.samples_pending = pending_->Value();
  s.highest_sent_timestamp_seconds = highest_sent_->Value();
  s.lag_seconds = lag_->Value();
  std::lock_guard lock(track_mu_);
  s.cursor = acked_seq_;
  s.last_error = last_error_;
  return s;
}

}  // namespace tidemark::ingest
