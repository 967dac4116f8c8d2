// RejectLog: counts per reason between warn lines (see reject_log.h).
#include "reject_log.h"

namespace tidemark::ingest {

RejectLog::RejectLog(Warn warn, Clock now, int64_t interval_ms)
    : warn_(std::move(warn)), now_(std::move(now)), interval_ms_(interval_ms) {}

void RejectLog::Record(std::string_view protocol, const BatchWriter& w) {
  if (!warn_ || w.rejected() == 0) return;
  const int64_t now = now_();
  std::string line;
  {
    std::lock_guard lock(mu_);
    invalid_ += w.rejected_invalid();
    out_of_order_ += w.rejected_out_of_order();
    duplicate_ += w.rejected_duplicate();
    unsupported_ += w.rejected_unsupported();
    limits_ += w.rejected_limits();
    if (first_.empty()) first_ = std::string(protocol) + ": " + w.first_error();
    if (logged_ && now - last_ms_ < interval_ms_) return;
    const uint64_t total = invalid_ + out_of_order_ + duplicate_ + unsupported_ + limits_;
    line = "rejected " + std::to_string(total) + " samples" +
           (logged_ ? " in the last " + std::to_string((now - last_ms_) / 1000) + "s" : "") +
           " (invalid: " + std::to_string(invalid_) + ", out of order: " + std::to_string(out_of_order_) +
           ", duplicate: " + std::to_string(duplicate_) + ", unsupported: " + std::to_string(unsupported_) +
           ", limits: " + std::to_string(limits_) + "); first: " + first_;
    logged_ = true;
    last_ms_ = now;
    invalid_ = out_of_order_ = duplicate_ = unsupported_ = limits_ = 0;
    first_.clear();
  }
  warn_(line);
}

}  // namespace tidemark::ingest
