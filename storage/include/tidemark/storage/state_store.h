// A small durable key-value facility for state that is not time series (alerting's silences,
// later its notification log): a RocksDB column family of its own, owned by the storage module.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark {

// Keys are opaque bytes; by convention each user owns a prefix ("silence/", ...), so users never
// see each other's entries. Thread-safe. Put and Delete return only once the change is durable
// (synced to disk), so state acknowledged to a user survives kill -9 and power loss.
class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  // Deleting a key that does not exist is not an error.
  virtual Status Delete(std::string_view key) = 0;
  // Calls fn for every entry whose key starts with `prefix`, in key order, on one consistent
  // snapshot; stops at fn's first error and returns it.
  virtual Status Scan(std::string_view prefix,
                      const std::function<Status(std::string_view key, std::string_view value)>& fn) = 0;
};

// An in-memory StateStore (the memory storage engine, tests): nothing survives the process.
std::unique_ptr<StateStore> NewMemStateStore();

}  // namespace tidemark
