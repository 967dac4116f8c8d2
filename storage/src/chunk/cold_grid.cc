// Grid-offset time section of a cold block. Scrapes land at t_i = anchor + k_i * step + offset_i
// with k_i = i plus the scrapes missed so far and a small, non-negative offset (the scrape's
// lateness). Storing offset_i costs one small number per sample where delta-of-delta costs two
// correlated ones (a late scrape shows up in two deltas), and bit-packing the offsets at the
// block's best width gets close to their entropy without relying on zstd.
// All arithmetic is modulo 2^64 (via uint64), so every int64 sequence round-trips, sorted or not.
#include "chunk/cold_grid.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"

namespace tidemark::chunk::coldfmt {
namespace {

uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }
int64_t S(uint64_t v) { return static_cast<int64_t>(v); }

// The encoder tries packed widths 1..kMaxTriedWidth; larger offsets are cheaper as escapes.
constexpr unsigned kMaxTriedWidth = 24;

uint64_t EscapeCode(unsigned width) { return (uint64_t{1} << width) - 1; }

size_t PackedBytes(size_t n, unsigned width) { return (n * width + 7) / 8; }

// The block's grid: one entry of `skips` per sample (0 = the next grid point, k = k points
// missed before it) and each sample's offset from its grid point.
struct GridPlan {
  int64_t anchor = 0;
  int64_t step = 0;
  std::vector<uint64_t> skips;
  std::vector<uint64_t> offsets;
  unsigned width = 1;
};

// The step is the median delta: robust against late scrapes and a few missed ones.
int64_t MedianDelta(std::span<const Sample> samples) {
  if (samples.size() < 2) return 0;
  std::vector<int64_t> deltas(samples.size() - 1);
  for (size_t i = 1; i < samples.size(); ++i) {
    deltas[i - 1] = S(U(samples[i].t) - U(samples[i - 1].t));
  }
  std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2, deltas.end());
  return deltas[deltas.size() / 2];
}

// Bytes of the packed codes plus escapes at `width`.
size_t OffsetBytes(const std::vector<uint64_t>& offsets, unsigned width) {
  const uint64_t esc = EscapeCode(width);
  size_t size = PackedBytes(offsets.size(), width);
  for (uint64_t o : offsets) {
    if (o >= esc) size += UvarintSize(o - esc);
  }
  return size;
}

// The step from the whole span: (last - first) over the number of grid points it covers (counted
// with `rough`), which averages the jitter away where the median delta can be biased by it.
int64_t SpanStep(std::span<const Sample> samples, int64_t rough) {
  const int64_t span = S(U(samples.back().t) - U(samples.front().t));
  if (rough <= 0 || span <= 0) return rough;
  const uint64_t points = (U(span) + U(rough / 2)) / U(rough);  // both < 2^63: no wrap
  if (points == 0) return rough;
  return S((U(span) + points / 2) / points);
}

size_t PlanBytes(const GridPlan& plan) {
  size_t size =
      VarintSize(plan.anchor) + VarintSize(plan.step) + OffsetBytes(plan.offsets, plan.width) + 1;
  size_t num_skips = 0, prev = 0;
  for (size_t i = 0; i < plan.skips.size(); ++i) {
    if (plan.skips[i] == 0) continue;
    size += UvarintSize(i - prev) + UvarintSize(plan.skips[i]);
    prev = i;
    ++num_skips;
  }
  return size + UvarintSize(num_skips);
}

void PlanWithStep(std::span<const Sample> samples, int64_t step, GridPlan* plan) {
  const size_t n = samples.size();
  plan->step = step;
  plan->skips.assign(n, 0);
  std::vector<int64_t> residuals(n, 0);
  const uint64_t t0 = U(samples[0].t);
  uint64_t k = 0;  // grid index of the previous sample
  for (size_t i = 1; i < n; ++i) {
    // Residual against the next grid point; at least half a step late means missed scrapes.
    int64_t r = S(U(samples[i].t) - t0 - (k + 1) * U(step));
    uint64_t skip = 0;
    if (step > 0 && r >= step - step / 2) {
      skip = (U(r) + U(step / 2)) / U(step);  // r >= 0 here, so the sum cannot wrap
      r = S(U(r) - skip * U(step));
    }
    plan->skips[i] = skip;
    k += 1 + skip;
    residuals[i] = r;
  }
  // Anchor the grid at the earliest sample's phase so every offset is >= 0 (and small).
  const int64_t phase = *std::min_element(residuals.begin(), residuals.end());
  plan->anchor = S(t0 + U(phase));
  plan->offsets.resize(n);
  for (size_t i = 0; i < n; ++i) plan->offsets[i] = U(residuals[i]) - U(phase);
  size_t best = 0;
  for (unsigned w = 1; w <= kMaxTriedWidth; ++w) {
    const size_t size = OffsetBytes(plan->offsets, w);
    if (w == 1 || size < best) {
      best = size;
      plan->width = w;
    }
  }
}

// Tries the median delta and the span-derived step; keeps the smaller encoding.
void Plan(std::span<const Sample> samples, GridPlan* plan) {
  const int64_t median = MedianDelta(samples);
  PlanWithStep(samples, median, plan);
  const int64_t span_step = SpanStep(samples, median);
  if (span_step == median) return;
  GridPlan other;
  PlanWithStep(samples, span_step, &other);
  if (PlanBytes(other) < PlanBytes(*plan)) *plan = std::move(other);
}

}  // namespace

void EncodeGridTimestamps(std::span<const Sample> samples, std::string* out) {
  if (samples.empty()) return;
  GridPlan plan;
  Plan(samples, &plan);
  PutVarint(out, plan.anchor);
  PutVarint(out, plan.step);
  size_t num_skips = 0;
  for (uint64_t s : plan.skips) num_skips += s != 0;
  AppendUvarint(out, num_skips);
  size_t prev = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    if (plan.skips[i] == 0) continue;
    AppendUvarint(out, i - prev);
    AppendUvarint(out, plan.skips[i]);
    prev = i;
  }
  out->push_back(static_cast<char>(plan.width));
  const uint64_t esc = EscapeCode(plan.width);
  const size_t start = out->size();
  BitWriter bits(out, start * 8);
  for (uint64_t o : plan.offsets) bits.WriteBits(std::min(o, esc), plan.width);
  for (uint64_t o : plan.offsets) {
    if (o >= esc) AppendUvarint(out, o - esc);
  }
}

namespace {

// Big-endian 8 bytes at p (the caller guarantees they are in bounds).
inline uint64_t LoadBE64(const uint8_t* p) {
  uint64_t w = 0;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w;
}

// Big-endian 8 bytes from byte i of [data, data + size), zero-padded past the end.
inline uint64_t LoadBE64Checked(const uint8_t* data, size_t size, size_t i) {
  uint64_t w = 0;
  for (size_t k = 0; k < 8; ++k) w = (w << 8) | (i + k < size ? data[i + k] : 0);
  return w;
}

}  // namespace

bool DecodeGridTimestamps(ByteReader& r, uint32_t n, std::vector<int64_t>* out) {
  out->resize(n);
  if (n == 0) return true;
  int64_t anchor = 0, step = 0;
  uint64_t num_skips = 0;
  if (!r.Varint(&anchor) || !r.Varint(&step) || !r.Uvarint(&num_skips)) return false;
  if (num_skips >= n) return false;
  // Validate the missed-scrape list now (it precedes the width byte); it is read again, entry by
  // entry, as the samples reach each entry's index.
  ByteReader skip_list = r;
  {
    uint64_t index = 0;
    for (uint64_t j = 0; j < num_skips; ++j) {
      uint64_t gap = 0, skip = 0;
      if (!r.Uvarint(&gap) || !r.Uvarint(&skip)) return false;
      if (gap == 0 || gap >= n - index || skip == 0) return false;
      index += gap;
    }
  }
  uint8_t width = 0;
  if (!r.Byte(&width) || width == 0 || width > kMaxGridWidth) return false;
  const size_t packed = PackedBytes(n, width);
  if (r.remaining() < packed) return false;
  const uint8_t* codes = r.pos();
  r.Skip(packed);
  const uint64_t esc = EscapeCode(width);
  const unsigned drop = 64 - width;  // width <= 32: a code plus its bit phase fits 64 bits
  // Samples whose code lies in an 8-byte window inside the packed bytes: code i starts at byte
  // floor(i * width / 8), which must be <= packed - 8.
  const uint32_t fast_end =
      packed < 8 ? 0
                 : static_cast<uint32_t>(std::min<uint64_t>(n, ((packed - 8) * 8 + 7) / width + 1));
  // Escapes follow the codes. Read through a local pointer; near the end of the data, or when
  // no bytes are left, the checked ByteReader path takes over.
  const uint8_t* ep = r.pos();
  const uint8_t* const eend = ep + r.remaining();
  auto read_escape = [&](uint64_t* extra) {
    ByteReader er(ep, static_cast<size_t>(eend - ep));
    if (!er.Uvarint(extra)) return false;
    ep = er.pos();
    return true;
  };
  int64_t* ts = out->data();
  const uint64_t ustep = U(step);
  uint64_t base = U(anchor);  // anchor + k * step for the next sample without a skip
  uint64_t remaining_skips = num_skips;
  uint64_t next_skip_index = 0, next_skip = 0;
  auto next_entry = [&]() {
    if (remaining_skips == 0) {
      next_skip_index = n;
      return;
    }
    --remaining_skips;
    uint64_t gap = 0;
    skip_list.Uvarint(&gap);  // validated above
    skip_list.Uvarint(&next_skip);
    next_skip_index += gap;
  };
  next_entry();
  uint32_t i = 0;
  size_t bit = 0;
  for (;;) {
    // Segment [i, seg_end): consecutive grid points.
    const uint32_t seg_end = static_cast<uint32_t>(next_skip_index);
    const uint32_t fast_stop = std::min(seg_end, std::max(fast_end, i));
    // Escapes can be frequent and irregular: take the common one-byte escape without a branch.
    // ep < eend here, so *ep is in bounds whether or not this code is an escape.
    for (; i < fast_stop && ep != eend; ++i, bit += width) {
      uint64_t offset = (LoadBE64(codes + (bit >> 3)) >> (drop - (bit & 7))) & esc;
      const uint64_t is_esc = offset == esc;
      const uint64_t b = *ep & (0 - is_esc);  // the escape's first byte, or 0
      if (b >= 0x80) [[unlikely]] {           // a longer escape
        uint64_t extra = 0;
        if (!read_escape(&extra)) return false;
        offset += extra;
      } else {
        offset += b;
        ep += is_esc;
      }
      ts[i] = S(base + offset);
      base += ustep;
    }
    for (; i < seg_end; ++i, bit += width) {
      uint64_t offset = (bit >> 3) + 8 <= packed
                            ? (LoadBE64(codes + (bit >> 3)) << (bit & 7)) >> drop
                            : (LoadBE64Checked(codes, packed, bit >> 3) << (bit & 7)) >> drop;
      if (offset == esc) {
        uint64_t extra = 0;
        if (!read_escape(&extra)) return false;
        offset += extra;
      }
      ts[i] = S(base + offset);
      base += ustep;
    }
    if (seg_end >= n) break;
    base += next_skip * ustep;
    next_entry();
  }
  r = ByteReader(ep, static_cast<size_t>(eend - ep));
  return true;
}

}  // namespace tidemark::chunk::coldfmt
