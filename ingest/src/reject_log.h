// Rate-limited warn lines for rejected samples and points: the first rejection is logged at once;
// later ones are summed per reason and logged at most once per interval, with the first reason
// text seen since the previous line, so a flood of bad data costs one line per interval.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "batch_writer.h"

namespace tidemark::ingest {

class RejectLog {
 public:
  using Warn = std::function<void(const std::string& message)>;
  using Clock = std::function<int64_t()>;  // milliseconds, monotonic
  RejectLog(Warn warn, Clock now, int64_t interval_ms = 10'000);

  // Adds a request's rejections (`protocol` names the endpoint) and logs when due.
  void Record(std::string_view protocol, const BatchWriter& w);

 private:
  Warn warn_;
  Clock now_;
  const int64_t interval_ms_;
  std::mutex mu_;
  bool logged_ = false;
  int64_t last_ms_ = 0;
  uint64_t invalid_ = 0, out_of_order_ = 0, duplicate_ = 0, unsupported_ = 0, limits_ = 0;
  std::string first_;
};

}  // namespace tidemark::ingest
