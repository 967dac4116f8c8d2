// Head series: staging checks, in-order/out-of-order apply and chunk cutting.
#include "tsdb/head_series.h"

#include <algorithm>
#include <bit>
#include <span>

#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"
#include "tsdb/keys.h"

namespace tidemark::tsdb {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

auto LowerBound(const std::vector<Sample>& v, Timestamp t) {
  return std::lower_bound(v.begin(), v.end(), t,
                          [](const Sample& s, Timestamp x) { return s.t < x; });
}

// Out-of-order samples are buffered unencoded; past this many they are cut into a chunk so the
// buffer (16 bytes a sample) never dominates a series' memory.
constexpr size_t kMaxOooSamples = chunk::kTargetSamplesPerChunk;

}  // namespace

void HeadSeries::Widen(Timestamp t) {
  if (t < min_t_.load(std::memory_order_relaxed)) min_t_.store(t, std::memory_order_relaxed);
  if (t > max_t_.load(std::memory_order_relaxed)) max_t_.store(t, std::memory_order_relaxed);
}

void HeadSeries::SetPersistedRange(Timestamp mn, Timestamp mx) {
  persisted_min_ = mn;
  persisted_max_ = mx;
  if (mn <= mx) {
    Widen(mn);
    Widen(mx);
  }
}

void HeadSeries::NotePersisted(Timestamp mn, Timestamp mx) {
  persisted_min_ = std::min(persisted_min_, mn);
  persisted_max_ = std::max(persisted_max_, mx);
}

uint32_t HeadSeries::open_samples() const {
  if (open_buf_.size() < chunk::xorfmt::kHeaderBytes) return 0;
  return (uint32_t{static_cast<uint8_t>(open_buf_[0])} << 8) | static_cast<uint8_t>(open_buf_[1]);
}

bool HeadSeries::OpenChunkHas(Timestamp t, double* v) const {
  if (!has_open() || t < open_mint_ || t > open_maxt_) return false;
  chunk::XorIterator it(std::as_bytes(std::span<const char>(open_buf_.data(), open_buf_.size())));
  if (it.Seek(t) == ValueType::kNone) return false;
  Sample s = it.At();
  if (s.t != t) return false;
  *v = s.v;
  return true;
}

Timestamp HeadSeries::head_max_time() const {
  Timestamp m = kMinTimestamp;
  if (has_open()) m = open_maxt_;
  if (!ooo_.empty()) m = std::max(m, ooo_.back().t);
  return m;
}

CheckResult HeadSeries::Check(Timestamp t, double v, int64_t ooo_window_ms) const {
  Timestamp newest = max_time();
  if (min_time() > newest || t > newest) return CheckResult::kAccept;
  if (t < newest - ooo_window_ms) return CheckResult::kTooOld;
  double have = 0;
  if (OpenChunkHas(t, &have)) return SameBits(have, v) ? CheckResult::kDuplicate : CheckResult::kConflict;
  auto it = LowerBound(ooo_, t);
  if (it != ooo_.end() && it->t == t) {
    return SameBits(it->v, v) ? CheckResult::kDuplicate : CheckResult::kConflict;
  }
  if (t >= persisted_min_ && t <= persisted_max_) return CheckResult::kCheckDisk;
  return CheckResult::kAccept;
}

void HeadSeries::CutOpen(std::vector<SealedChunk>* sealed) {
  if (!has_open()) return;
  SealedChunk c;
  c.ref = ref_;
  c.mint = open_mint_;
  c.maxt = open_maxt_;
  c.encoding = chunk::Encoding::kXor;
  c.bytes = std::move(open_buf_);  // the sealed chunk takes the buffer: no copy
  NotePersisted(c.mint, c.maxt);
  sealed->push_back(std::move(c));
  app_.reset();
  open_buf_ = std::string();
}

void HeadSeries::CutOoo(std::vector<SealedChunk>* sealed) {
  if (ooo_.empty()) return;
  SealedChunk c;
  c.ref = ref_;
  c.mint = ooo_.front().t;
  c.maxt = ooo_.back().t;
  c.encoding = chunk::Encoding::kXor;
  c.bytes = chunk::EncodeXor(ooo_);
  NotePersisted(c.mint, c.maxt);
  sealed->push_back(std::move(c));
  ooo_.clear();
  ooo_.shrink_to_fit();
}

void HeadSeries::SealAll(std::vector<SealedChunk>* sealed) {
  CutOpen(sealed);
  CutOoo(sealed);
}

bool HeadSeries::Apply(Timestamp t, double v, std::vector<SealedChunk>* sealed, bool* mark_needed) {
  *mark_needed = false;
  Timestamp newest = max_time();
  bool empty = min_time() > newest;
  if (empty || t > newest) {
    if (has_open()) {
      // Capacity is the head's contract (chunk.h): cut before the chunk could overflow, and by
      // time so no persisted chunk spans more than kMaxChunkSpanMs (keys.h relies on it).
      bool full = open_samples() >= chunk::kTargetSamplesPerChunk ||
                  open_buf_.size() + chunk::kMaxXorBytesPerSample > chunk::kMaxXorChunkBytes ||
                  t - open_mint_ > kMaxChunkSpanMs;
      if (full) {
        SealAll(sealed);
        *mark_needed = true;
      }
    }
    if (!has_open()) {
      // An empty chunk is its 2-byte zero header; the appender continues it from bit 16.
      open_buf_.assign(chunk::xorfmt::kHeaderBytes, '\0');
      app_.emplace(&open_buf_, chunk::xorfmt::State{}, chunk::xorfmt::kHeaderBits);
      open_mint_ = t;
    }
    app_->Append(t, v);
    open_maxt_ = t;
    Widen(t);
    return true;
  }
  double have = 0;
  if (OpenChunkHas(t, &have)) return false;
  auto it = LowerBound(ooo_, t);
  if (it != ooo_.end() && it->t == t) return false;
  if (!ooo_.empty()) {
    Timestamp lo = std::min(ooo_.front().t, t), hi = std::max(ooo_.back().t, t);
    if (ooo_.size() >= kMaxOooSamples || hi - lo > kMaxChunkSpanMs) {
      SealAll(sealed);
      *mark_needed = true;
      it = ooo_.end();
    }
  }
  if (ooo_.empty()) {
    ooo_.push_back({t, v});
  } else {
    ooo_.insert(it, {t, v});
  }
  Widen(t);
  return true;
}

bool HeadSeries::NewestInOpenChunk(Sample* s) const {
  if (!has_open() || open_maxt_ != max_time()) return false;
  if (!ooo_.empty() && ooo_.back().t >= open_maxt_) return false;
  *s = app_->last();
  return s->t == open_maxt_;
}

HeadSnapshot HeadSeries::Snapshot() const {
  HeadSnapshot s;
  if (has_open()) {
    s.open_bytes = open_buf_;
    s.open_mint = open_mint_;
    s.open_maxt = open_maxt_;
  }
  s.ooo = ooo_;
  return s;
}

}  // namespace tidemark::tsdb
