// libFuzzer target for the chunk codecs. The first input byte picks a mode:
//   0: the rest is an XOR chunk: parse, iterate (one at a time and in batches), Seek, and append
//      to it when it validates.
//   1: the rest is a cold block (its checksum recomputed so the decoders themselves are reached).
//   2: the rest is turned into samples, encoded both ways (cold: the chosen codecs, then each
//      time codec forced, so the grid-offset codec sees arbitrary timestamps too), decoded, and
//      compared bit for bit.
// Any crash, sanitizer report or mismatch (__builtin_trap) is a finding.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "tidemark/storage/chunk/chunk.h"
#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/chunk/crc32c.h"

namespace {

using tidemark::Sample;
using tidemark::Timestamp;
using tidemark::ValueType;
namespace chunk = tidemark::chunk;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Iterates everything, then re-iterates with Seek to the middle; returns the samples seen.
std::vector<Sample> Drain(const chunk::Chunk& c) {
  std::vector<Sample> out;
  auto it = c.iterator(nullptr);
  while (it->Next() == ValueType::kFloat) out.push_back(it->At());
  if (it->status().ok()) Check(out.size() == c.num_samples());
  if (!out.empty()) {
    const Timestamp mid = out[out.size() / 2].t;
    it = c.iterator(std::move(it));
    if (it->Seek(mid) == ValueType::kFloat) {
      Check(it->At().t >= mid);
    }
  }
  return out;
}

bool SameBits(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) {
      return false;
    }
  }
  return true;
}

// The samples and the status of reading `c` with ReadBatch, `batch` samples at a time.
std::vector<Sample> DrainBatched(const chunk::Chunk& c, size_t batch, std::string* status) {
  std::vector<Sample> out;
  auto it = c.iterator(nullptr);
  ValueType vt = it->Next();
  std::vector<Sample> buf(batch);
  while (vt == ValueType::kFloat) {
    const size_t k = it->ReadBatch(INT64_MAX, buf.data(), batch, &vt);
    Check(k > 0);
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k));
  }
  *status = it->status().ToString();
  return out;
}

void FuzzXor(std::span<const std::byte> bytes) {
  auto c = chunk::ChunkFromBytes(chunk::Encoding::kXor, bytes);
  if (!c.ok()) return;
  const auto before = Drain(**c);
  // The batch decoder yields what At()/Next() yield, damage included.
  {
    std::vector<Sample> one;
    auto it = (*c)->iterator(nullptr);
    while (it->Next() == ValueType::kFloat) one.push_back(it->At());
    for (size_t batch : {size_t{1}, size_t{3}, size_t{64}}) {
      std::string status;
      Check(SameBits(one, DrainBatched(**c, batch, &status)));
      Check(status == it->status().ToString());
    }
  }
  if (!chunk::ValidateChunk(**c).ok() || (*c)->num_samples() >= chunk::kMaxSamplesPerXorChunk) {
    return;
  }
  auto app = (*c)->appender();
  Check(app.ok());
  (*app)->Append(1234, -0.0);
  auto after = chunk::DecodeAll(**c);
  Check(after.ok());
  Check(after->size() == before.size() + 1);
  Check(SameBits(before, std::vector<Sample>(after->begin(), after->end() - 1)));
}

void FuzzCold(std::span<const std::byte> bytes) {
  std::string block(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (block.size() >= 4) {
    const uint32_t crc = chunk::Crc32c(chunk::AsBytes(block).first(block.size() - 4));
    for (int i = 0; i < 4; ++i) block[block.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  auto c = chunk::ChunkFromBytes(chunk::Encoding::kCold, chunk::AsBytes(block));
  if (!c.ok()) return;
  Drain(**c);
}

// Samples from bytes: 1 control byte + up to 8 bytes each, mixing realistic steps with raw bits.
std::vector<Sample> SamplesFrom(std::span<const std::byte> bytes) {
  std::vector<Sample> out;
  size_t i = 0;
  Timestamp t = 1'700'000'000'000;
  double v = 0;
  auto take = [&](size_t n) {
    uint64_t x = 0;
    for (size_t k = 0; k < n && i < bytes.size(); ++k, ++i) {
      x = (x << 8) | std::to_integer<uint8_t>(bytes[i]);
    }
    return x;
  };
  while (i < bytes.size() && out.size() < chunk::kMaxSamplesPerColdBlock) {
    const auto ctl = static_cast<uint8_t>(take(1));
    // Steps wrap modulo 2^64 (after a raw INT64_MAX, say), as the codecs' arithmetic does.
    const auto step = [&](int64_t d) {
      t = static_cast<Timestamp>(static_cast<uint64_t>(t) + static_cast<uint64_t>(d));
    };
    switch (ctl & 3) {
      case 0: step(15'000 + static_cast<int8_t>(take(1))); break;
      case 1: t = static_cast<Timestamp>(take(8)); break;
      default: step(15'000); break;
    }
    switch ((ctl >> 2) & 7) {
      case 0: break;  // unchanged
      case 1: v += static_cast<double>(take(2)); break;
      case 2: v = static_cast<double>(static_cast<int32_t>(take(4))) / 100.0; break;
      case 3: v = std::bit_cast<double>(take(8)); break;
      case 4: v = tidemark::StaleNaN(); break;
      case 5: v = -0.0; break;
      default: v += 0.25; break;
    }
    out.push_back({t, v});
  }
  return out;
}

void FuzzRoundTrip(std::span<const std::byte> bytes) {
  const std::vector<Sample> samples = SamplesFrom(bytes);
  if (samples.empty()) return;
  if (samples.size() <= chunk::kMaxSamplesPerXorChunk) {
    const std::string x = chunk::EncodeXor(samples);
    auto c = chunk::ChunkFromBytes(chunk::Encoding::kXor, chunk::AsBytes(x));
    Check(c.ok());
    auto got = chunk::DecodeAll(**c);
    Check(got.ok() && SameBits(samples, *got));
  }
  for (int forced = -1; forced < 3; ++forced) {
    chunk::ColdOptions options;
    if (forced >= 0) options.force_time_codec = static_cast<chunk::ColdTimeCodec>(forced);
    chunk::ColdBlockInfo info;
    auto block = chunk::EncodeCold(samples, options, &info);
    Check(block.ok());
    Check(forced < 0 || info.time_codec == *options.force_time_codec);
    auto c = chunk::ChunkFromBytes(chunk::Encoding::kCold, chunk::AsBytes(*block));
    Check(c.ok());
    auto got = chunk::DecodeAll(**c);
    Check(got.ok() && SameBits(samples, *got));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto rest = std::as_bytes(std::span<const uint8_t>(data + 1, size - 1));
  switch (data[0] % 3) {
    case 0: FuzzXor(rest); break;
    case 1: FuzzCold(rest); break;
    default: FuzzRoundTrip(rest); break;
  }
  return 0;
}
