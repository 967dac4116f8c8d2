// RemoteWriteSender: the set of endpoint queues, kept in step with the config on reload.
#include <chrono>
#include <set>
#include <thread>

#include "forward/queue.h"
#include "tidemark/ingest/remote_write_sender.h"

namespace tidemark::ingest {

namespace {

constexpr char kReaderPrefix[] = "remote_write/";

class SystemSenderClock final : public SenderClock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void Sleep(int64_t ms, const std::atomic<bool>& stop) override {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop.load() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(10), end - std::chrono::steady_clock::now()));
    }
  }
};

}  // namespace

std::unique_ptr<SenderClock> NewSystemSenderClock() { return std::make_unique<SystemSenderClock>(); }

std::string CommitReaderName(const std::string& remote_name) { return kReaderPrefix + remote_name; }

RemoteWriteSender::RemoteWriteSender(Storage& storage, MetricsRegistry& metrics, SenderClock& clock)
    : storage_(storage), metrics_(metrics), clock_(clock) {}

RemoteWriteSender::~RemoteWriteSender() { Stop(); }

Status RemoteWriteSender::Apply(std::vector<RemoteWriteConfig> configs, SenderOptions options) {
  std::lock_guard lock(mu_);
  CommitLog* log = storage_.Commits();
  if (log == nullptr) {
    if (configs.empty()) return Status::OK();
    return Status::InvalidArgument(
        "remote_write needs the rocksdb storage engine (its backlog is read from the store)");
  }
  std::map<std::string, RemoteWriteConfig> wanted;
  for (auto& c : configs) {
    if (!wanted.emplace(c.name, c).second) {
      return Status::InvalidArgument("remote_write: duplicate remote write configs found: name " + c.name);
    }
  }
  // Stop queues that are gone or changed (their cursors stay for the restarted ones).
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || w->second.fingerprint != it->second->config().fingerprint ||
        w->second.fingerprint.empty()) {
      it->second->Stop();
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  // Release the backlog of endpoints no longer configured.
  TM_ASSIGN_OR_RETURN(std::vector<std::string> readers, log->Readers());
  for (const auto& r : readers) {
    if (r.rfind(kReaderPrefix, 0) != 0) continue;
    if (wanted.count(r.substr(sizeof(kReaderPrefix) - 1)) == 0) TM_RETURN_IF_ERROR(log->RemoveReader(r));
  }
  Status first;
  for (auto& [name, c] : wanted) {
    if (queues_.count(name) != 0) continue;
    auto q = std::make_unique<RemoteWriteQueue>(std::move(c), options, *log, metrics_, clock_);
    Status st = q->Start();
    if (!st.ok()) {
      if (first.ok()) first = Status(st.code(), "remote_write " + name + ": " + st.message());
      continue;
    }
    queues_.emplace(name, std::move(q));
  }
  return first;
}

void RemoteWriteSender::Stop() {
  std::lock_guard lock(mu_);
  for (auto& [name, q] : queues_) q->Stop();
  queues_.clear();
}

std::vector<RemoteWriteEndpointStatus> RemoteWriteSender::Statuses() const {
  std::lock_guard lock(mu_);
  std::vector<RemoteWriteEndpointStatus> out;
  for (const auto& [name, q] : queues_) out.push_back(q->EndpointStatus());
  return out;
}

}  // namespace tidemark::ingest
