// The in-memory StateStore: an ordered map under a mutex.
#include <map>
#include <mutex>
#include <string>

#include "tidemark/storage/state_store.h"

namespace tidemark {

namespace {

class MemStateStore final : public StateStore {
 public:
  Status Put(std::string_view key, std::string_view value) override {
    std::lock_guard<std::mutex> l(mu_);
    entries_[std::string(key)] = std::string(value);
    return Status::OK();
  }
  Status Delete(std::string_view key) override {
    std::lock_guard<std::mutex> l(mu_);
    entries_.erase(std::string(key));
    return Status::OK();
  }
  Status Scan(std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& fn) override {
    std::map<std::string, std::string, std::less<>> copy;  // fn may call back into the store
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto it = entries_.lower_bound(prefix);
           it != entries_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
           ++it) {
        copy.insert(*it);
      }
    }
    for (const auto& [k, v] : copy) TM_RETURN_IF_ERROR(fn(k, v));
    return Status::OK();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace

std::unique_ptr<StateStore> NewMemStateStore() { return std::make_unique<MemStateStore>(); }

}  // namespace tidemark
