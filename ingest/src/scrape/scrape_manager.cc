// ScrapeManager (see scrape.h): pools of targets per scrape config, one scheduler heap of due
// scrapes shared by a fixed set of worker threads, and file discovery on its own thread.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

#include "file_sd.h"
#include "scrape_loop.h"
#include "target.h"
#include "tidemark/ingest/scrape.h"

namespace tidemark::ingest {

using scrape::FileSdWatcher;
using scrape::PoolSettings;
using scrape::ScrapeLoop;
using scrape::Target;

namespace {

struct Slot {
  std::shared_ptr<ScrapeLoop> loop;
  int64_t due_ms = 0;
  bool in_flight = false;
  bool stopped = false;
};

struct Due {
  int64_t due_ms;
  std::shared_ptr<Slot> slot;
  bool operator>(const Due& o) const { return due_ms > o.due_ms; }
};

struct Pool {
  std::shared_ptr<const PoolSettings> settings;
  std::vector<FileSdWatcher> file_sd;
  std::map<uint64_t, std::shared_ptr<Slot>> slots;  // by target hash
  std::vector<DroppedTarget> dropped;
};

}  // namespace

class ScrapeManager::Impl {
 public:
  Impl(Appendable& storage, Ingester* ingester, ScrapeManagerOptions options)
      : storage_(storage), ingester_(ingester), options_(std::move(options)) {
    if (!options_.now_ms) {
      options_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    sd_cv_.notify_all();
    for (auto& t : workers_) t.join();
    if (sd_thread_.joinable()) sd_thread_.join();
  }

  void ApplyConfig(std::vector<ScrapeConfig> configs) {
    std::vector<std::shared_ptr<Slot>> gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::map<std::string, Pool> next;
      for (ScrapeConfig& cfg : configs) {
        const std::string name = cfg.job_name;
        auto old = pools_.find(name);
        if (old != pools_.end() && old->second.settings->config.fingerprint == cfg.fingerprint) {
          next[name] = std::move(old->second);
          pools_.erase(old);
          continue;
        }
        auto client = httpclient::Client::Create(cfg.http);
        if (!client.ok()) {
          Warn("cannot create the HTTP client of scrape pool " + name, client.status().message());
          continue;
        }
        auto settings = std::make_shared<PoolSettings>();
        settings->client = std::move(*client);
        settings->accept_header = scrape::AcceptHeader(cfg.scrape_protocols.empty() ? DefaultScrapeProtocols()
                                                                                   : cfg.scrape_protocols);
        settings->config = std::move(cfg);
        Pool pool;
        if (old != pools_.end()) {
          pool = std::move(old->second);
          pools_.erase(old);
        }
        pool.settings = std::move(settings);
        pool.file_sd.clear();
        for (const FileSdConfig& f : pool.settings->config.file_sd_configs) pool.file_sd.emplace_back(f);
        std::vector<std::string> errors;
        for (auto& w : pool.file_sd) w.Refresh(options_.now_ms(), &errors);
        for (const auto& e : errors) Warn("file_sd: cannot read a file of scrape pool " + name, e);
        SyncLocked(name, pool, gone);
        next[name] = std::move(pool);
      }
      for (auto& [name, pool] : pools_) {  // pools no longer configured
        for (auto& [hash, slot] : pool.slots) StopLocked(slot, gone);
      }
      pools_ = std::move(next);
      StartThreadsLocked();
    }
    cv_.notify_all();
    WriteStale(gone);
  }

  void RefreshFileSd() {
    std::vector<std::shared_ptr<Slot>> gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [name, pool] : pools_) {
        bool changed = false;
        std::vector<std::string> errors;
        for (auto& w : pool.file_sd) changed = w.Refresh(options_.now_ms(), &errors) || changed;
        for (const auto& e : errors) Warn("file_sd: cannot read a file of scrape pool " + name, e);
        if (changed) SyncLocked(name, pool, gone);
      }
    }
    cv_.notify_all();
    WriteStale(gone);
  }

  std::vector<TargetStatus> ActiveTargets() const {
    std::vector<TargetStatus> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, pool] : pools_) {
      const size_t first = out.size();
      for (const auto& [hash, slot] : pool.slots) out.push_back(slot->loop->GetStatus());
      std::sort(out.begin() + first, out.end(),
                [](const TargetStatus& a, const TargetStatus& b) { return a.labels < b.labels; });
    }
    return out;
  }

  std::vector<DroppedTarget> DroppedTargets() const {
    std::vector<DroppedTarget> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, pool] : pools_) out.insert(out.end(), pool.dropped.begin(), pool.dropped.end());
    return out;
  }

  std::map<std::string, size_t> DroppedTargetCounts() const {
    std::map<std::string, size_t> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, pool] : pools_) out[name] = pool.dropped.size();
    return out;
  }

  std::vector<std::string> ScrapePools() const {
    std::vector<std::string> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, pool] : pools_) out.push_back(name);
    return out;
  }

  std::vector<TargetMetadata> Metadata(const std::function<bool(const Labels&)>& keep,
                                       const std::string& metric, int64_t limit) const {
    std::vector<std::shared_ptr<ScrapeLoop>> loops;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, pool] : pools_) {
        for (const auto& [hash, slot] : pool.slots) loops.push_back(slot->loop);
      }
    }
    std::vector<TargetMetadata> out;
    for (const auto& loop : loops) {
      if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
      const Labels& t = loop->target().public_labels;
      if (keep && !keep(t)) continue;
      for (const MetricMetadata& m : loop->Metadata()) {
        if (!metric.empty() && m.metric != metric) continue;
        out.push_back({t, metric.empty() ? m.metric : "", m.type, m.help, m.unit});
        if (!metric.empty()) break;
      }
    }
    return out;
  }

 private:
  void Warn(const std::string& msg, const std::string& detail) const {
    if (options_.warn) options_.warn(msg, detail);
  }

  // Makes `pool`'s loops match its current target groups.
  void SyncLocked(const std::string& name, Pool& pool, std::vector<std::shared_ptr<Slot>>& gone) {
    const ScrapeConfig& cfg = pool.settings->config;
    std::vector<TargetGroup> groups = cfg.static_configs;
    for (const auto& w : pool.file_sd) {
      auto g = w.Groups();
      groups.insert(groups.end(), g.begin(), g.end());
    }
    std::map<uint64_t, Target> wanted;
    pool.dropped.clear();
    for (const TargetGroup& g : groups) {
      for (const std::string& addr : g.targets) {
        Labels discovered;
        auto t = scrape::PopulateTarget(cfg, addr, g.labels, &discovered);
        if (!t.ok()) {
          Warn("creating target failed in scrape pool " + name, t.status().message() + " (" + g.source + ")");
          continue;
        }
        if (!t->has_value()) {
          pool.dropped.push_back({name, std::move(discovered)});
          continue;
        }
        wanted.emplace((*t)->hash, std::move(**t));
      }
    }
    for (auto it = pool.slots.begin(); it != pool.slots.end();) {
      if (wanted.contains(it->first)) {
        it->second->loop->SetSettings(pool.settings);  // no-op when unchanged
        ++it;
      } else {
        StopLocked(it->second, gone);
        it = pool.slots.erase(it);
      }
    }
    const int64_t now = options_.now_ms();
    for (auto& [hash, target] : wanted) {
      if (pool.slots.contains(hash)) continue;
      auto slot = std::make_shared<Slot>();
      const int64_t interval = target.interval_ms;
      slot->due_ms = now + scrape::FirstScrapeDelayMs(hash, options_.offset_seed, interval, now);
      slot->loop = std::make_shared<ScrapeLoop>(std::move(target), name, pool.settings, storage_,
                                                [this](const std::vector<MetricMetadata>& md) {
                                                  if (ingester_) ingester_->AddMetadata(md);
                                                });
      heap_.push({slot->due_ms, slot});
      pool.slots.emplace(hash, std::move(slot));
    }
  }

  // The loop ends; a worker running it writes the staleness markers when done, else `gone` does.
  void StopLocked(const std::shared_ptr<Slot>& slot, std::vector<std::shared_ptr<Slot>>& gone) {
    slot->stopped = true;
    if (!slot->in_flight) gone.push_back(slot);
  }

  void WriteStale(const std::vector<std::shared_ptr<Slot>>& gone) {
    for (const auto& s : gone) s->loop->WriteStaleMarkers(options_.now_ms());
  }

  void StartThreadsLocked() {
    if (workers_.empty()) {
      for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) {
        workers_.emplace_back([this] { Work(); });
      }
    }
    bool any_sd = false;
    for (const auto& [name, pool] : pools_) any_sd = any_sd || !pool.file_sd.empty();
    if (any_sd && !sd_thread_.joinable()) sd_thread_ = std::thread([this] { DiscoveryLoop(); });
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!shutdown_) {
      if (heap_.empty()) {
        cv_.wait(lock);
        continue;
      }
      Due top = heap_.top();
      if (top.slot->stopped) {
        heap_.pop();
        continue;
      }
      const int64_t now = options_.now_ms();
      if (top.due_ms > now) {
        cv_.wait_for(lock, std::chrono::milliseconds(top.due_ms - now));
        continue;
      }
      heap_.pop();
      std::shared_ptr<Slot> slot = top.slot;
      slot->in_flight = true;
      const int64_t interval = slot->loop->target().interval_ms;
      lock.unlock();
      // Prometheus aligns a scrape's timestamp to its slot when it starts within 1% of the
      // interval (at most 2 ms) of it, so that the stored timestamps compress well.
      const int64_t tolerance = std::min<int64_t>(interval / 100, 2);
      slot->loop->Scrape(now - top.due_ms <= tolerance ? top.due_ms : now);
      lock.lock();
      slot->in_flight = false;
      if (slot->stopped) {
        lock.unlock();
        slot->loop->WriteStaleMarkers(options_.now_ms());
        lock.lock();
        continue;
      }
      int64_t due = top.due_ms + interval;
      const int64_t after = options_.now_ms();
      if (due <= after) due += ((after - due) / interval + 1) * interval;  // missed slots are skipped
      slot->due_ms = due;
      heap_.push({due, slot});
      cv_.notify_one();
    }
  }

  void DiscoveryLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!shutdown_) {
      sd_cv_.wait_for(lock, std::chrono::seconds(1));
      if (shutdown_) break;
      lock.unlock();
      RefreshFileSd();
      lock.lock();
    }
  }

  Appendable& storage_;
  Ingester* ingester_;
  ScrapeManagerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable sd_cv_;
  bool shutdown_ = false;
  std::map<std::string, Pool> pools_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> heap_;
  std::vector<std::thread> workers_;
  std::thread sd_thread_;
};

ScrapeManager::ScrapeManager(Appendable& storage, Ingester* ingester, ScrapeManagerOptions options)
    : impl_(std::make_unique<Impl>(storage, ingester, std::move(options))) {}
ScrapeManager::~ScrapeManager() = default;
void ScrapeManager::ApplyConfig(std::vector<ScrapeConfig> configs) { impl_->ApplyConfig(std::move(configs)); }
std::vector<TargetStatus> ScrapeManager::ActiveTargets() const { return impl_->ActiveTargets(); }
std::vector<DroppedTarget> ScrapeManager::DroppedTargets() const { return impl_->DroppedTargets(); }
std::map<std::string, size_t> ScrapeManager::DroppedTargetCounts() const { return impl_->DroppedTargetCounts(); }
std::vector<std::string> ScrapeManager::ScrapePools() const { return impl_->ScrapePools(); }
std::vector<TargetMetadata> ScrapeManager::Metadata(const std::function<bool(const Labels&)>& keep,
                                                    const std::string& metric, int64_t limit) const {
  return impl_->Metadata(keep, metric, limit);
}
void ScrapeManager::RefreshFileSd() { impl_->RefreshFileSd(); }

}  // namespace tidemark::ingest
