// Time section of a cold block: zigzag varint delta-of-delta or delta-from-base timestamps, or
// grid offsets (cold_grid.cc). All arithmetic is modulo 2^64 (via uint64), so every int64
// sequence round-trips.
#include "chunk/cold_timestamps.h"

#include <algorithm>

#include "chunk/cold_format.h"
#include "chunk/cold_grid.h"

namespace tidemark::chunk::coldfmt {
namespace {

uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }
int64_t S(uint64_t v) { return static_cast<int64_t>(v); }

uint64_t Magnitude(int64_t v) { return v < 0 ? 0 - U(v) : U(v); }

}  // namespace

ColdTimeCodec ChooseTimeCodec(std::span<const Sample> samples, int64_t* base) {
  *base = 0;
  if (samples.size() < 3) return ColdTimeCodec::kDod;
  std::vector<int64_t> deltas(samples.size() - 1);
  for (size_t i = 1; i < samples.size(); ++i) {
    deltas[i - 1] = S(U(samples[i].t) - U(samples[i - 1].t));
  }
  // Exact encoded sizes past t0: dod stores delta1 then dods; base stores base then offsets.
  size_t dod_size = VarintSize(deltas[0]);
  uint64_t dod_mag = 0;
  for (size_t i = 1; i < deltas.size(); ++i) {
    const int64_t dod = S(U(deltas[i]) - U(deltas[i - 1]));
    dod_size += VarintSize(dod);
    dod_mag += Magnitude(dod);
  }
  std::vector<int64_t> sorted = deltas;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  *base = sorted[sorted.size() / 2];
  size_t base_size = VarintSize(*base);
  uint64_t base_mag = 0;
  for (int64_t delta : deltas) {
    const int64_t d = S(U(delta) - U(*base));
    base_size += VarintSize(d);
    base_mag += Magnitude(d);
  }
  ColdTimeCodec best = ColdTimeCodec::kDod;
  size_t best_size = dod_size;
  if (base_size < dod_size || (base_size == dod_size && base_mag < dod_mag)) {
    best = ColdTimeCodec::kDeltaFromBase;
    best_size = base_size;
  }
  // t0 is in every codec; the grid codec also pays for its header extension.
  std::string grid;
  EncodeGridTimestamps(samples, &grid);
  if (grid.size() + kTimeCodecExtensionBytes < best_size + VarintSize(samples[0].t)) {
    best = ColdTimeCodec::kGridOffset;
  }
  return best;
}

void EncodeTimestamps(std::span<const Sample> samples, ColdTimeCodec codec, int64_t base,
                      std::string* out) {
  if (samples.empty()) return;
  if (codec == ColdTimeCodec::kGridOffset) {
    EncodeGridTimestamps(samples, out);
    return;
  }
  PutVarint(out, samples[0].t);
  if (codec == ColdTimeCodec::kDeltaFromBase) {
    PutVarint(out, base);
    for (size_t i = 1; i < samples.size(); ++i) {
      PutVarint(out, S(U(samples[i].t) - U(samples[i - 1].t) - U(base)));
    }
    return;
  }
  uint64_t prev_delta = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint64_t delta = U(samples[i].t) - U(samples[i - 1].t);
    PutVarint(out, S(delta - prev_delta));  // the first one is delta1 itself
    prev_delta = delta;
  }
}

bool DecodeTimestamps(ByteReader& r, ColdTimeCodec codec, uint32_t n, std::vector<int64_t>* out) {
  if (codec == ColdTimeCodec::kGridOffset) return DecodeGridTimestamps(r, n, out);
  out->resize(n);
  if (n == 0) return true;
  int64_t v = 0;
  if (!r.Varint(&v)) return false;
  uint64_t t = U(v);
  (*out)[0] = v;
  if (codec == ColdTimeCodec::kDeltaFromBase) {
    int64_t base = 0;
    if (!r.Varint(&base)) return false;
    for (uint32_t i = 1; i < n; ++i) {
      if (!r.Varint(&v)) return false;
      t += U(v) + U(base);
      (*out)[i] = S(t);
    }
    return true;
  }
  uint64_t delta = 0;
  for (uint32_t i = 1; i < n; ++i) {
    if (!r.Varint(&v)) return false;
    delta += U(v);
    t += delta;
    (*out)[i] = S(t);
  }
  return true;
}

}  // namespace tidemark::chunk::coldfmt
