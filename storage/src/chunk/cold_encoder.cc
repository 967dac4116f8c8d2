// ColdEncoder/EncodeCold: builds a cold block, choosing codecs per block by measured size, and
// verifies it decodes bit-exactly before returning it.
#include <zstd.h>

#include <bit>
#include <string>
#include <vector>

#include "chunk/byte_codec.h"
#include "chunk/cold_decoder.h"
#include "chunk/cold_format.h"
#include "chunk/cold_timestamps.h"
#include "chunk/cold_values.h"
#include "tidemark/storage/chunk/cold.h"
#include "tidemark/storage/chunk/crc32c.h"

namespace tidemark::chunk {

struct ColdEncoder::Impl {
  explicit Impl(const ColdOptions& o) : options(o) {}
  ~Impl() { ZSTD_freeCCtx(cctx); }

  std::string Build(std::span<const Sample> samples, bool xor_only, ColdBlockInfo* info);
  size_t StoredSize(const std::string& raw, std::string* out, bool* use_zstd);
  Status Verify(std::span<const Sample> samples, const std::string& block);

  ColdOptions options;
  ZSTD_CCtx* cctx = nullptr;
  coldfmt::ColdScratch scratch;
  std::string payload, compressed, best_compressed;
  std::vector<int64_t> ts;
  std::vector<uint64_t> vals;
  coldfmt::DecimalPlan plan;
};

// A candidate section: its bytes plus what the header must say about it.
struct Section {
  std::string bytes;
  ColdTimeCodec time_codec = ColdTimeCodec::kDod;
  ColdValueCodec value_codec = ColdValueCodec::kXor;
  int exponent = 0;
};

namespace {

// Header bytes a time codec adds: codecs past bit 2's range need the extension (cold_format.h).
size_t HeaderExtension(ColdTimeCodec codec) {
  return codec == ColdTimeCodec::kGridOffset ? coldfmt::kTimeCodecExtensionBytes : 0;
}

}  // namespace

// Stored size of `payload`: compressed into *compressed (magic included) when that is smaller.
size_t ColdEncoder::Impl::StoredSize(const std::string& raw, std::string* out,
                                     bool* use_zstd) {
  *use_zstd = false;
  if (!options.try_zstd) return raw.size();
  if (cctx == nullptr) cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return raw.size();
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, options.zstd_level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);  // we store the size ourselves
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0);     // the block has a CRC
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 0);
  out->resize(ZSTD_compressBound(raw.size()));
  const size_t got = ZSTD_compress2(cctx, out->data(), out->size(), raw.data(),
                                    raw.size());
  constexpr size_t kMagic = sizeof(coldfmt::kZstdMagic);
  if (ZSTD_isError(got) || got <= kMagic ||
      out->compare(0, kMagic, reinterpret_cast<const char*>(coldfmt::kZstdMagic), kMagic) !=
          0) {
    return raw.size();
  }
  out->resize(got);
  const size_t stored = got - kMagic + UvarintSize(raw.size());
  if (stored >= raw.size()) return raw.size();
  *use_zstd = true;
  return stored;
}

std::string ColdEncoder::Impl::Build(std::span<const Sample> samples, bool xor_only,
                                     ColdBlockInfo* info) {
  // Candidate sections, measured in every combination by their final stored size: raw sizes
  // mislead (a 1-bit XOR "unchanged" beats a 1-byte zero varint raw, but zstd squeezes runs of
  // zero bytes to almost nothing).
  std::vector<Section> times, values;
  int64_t base = 0;
  const ColdTimeCodec preferred = coldfmt::ChooseTimeCodec(samples, &base);
  for (ColdTimeCodec tc :
       {ColdTimeCodec::kDod, ColdTimeCodec::kDeltaFromBase, ColdTimeCodec::kGridOffset}) {
    if (options.force_time_codec.has_value()) {
      if (tc != *options.force_time_codec) continue;
    } else {
      if (samples.size() < 3 && tc != ColdTimeCodec::kDod) continue;
      if (!options.try_zstd && tc != preferred) continue;  // raw size decides without zstd
    }
    Section& t = times.emplace_back();
    t.time_codec = tc;
    coldfmt::EncodeTimestamps(samples, tc, base, &t.bytes);
  }
  if (!xor_only && coldfmt::AllSameBits(samples)) {
    Section& v = values.emplace_back();
    v.value_codec = ColdValueCodec::kConstant;
    coldfmt::EncodeConstant(samples, &v.bytes);
  } else {
    Section& x = values.emplace_back();
    coldfmt::EncodeXorValues(samples, &x.bytes);
    for (bool dod : {false, true}) {
      if (xor_only || !coldfmt::PlanDecimal(samples, options.max_decimal_exponent, dod, &plan)) {
        continue;
      }
      Section& v = values.emplace_back();
      v.value_codec = dod ? ColdValueCodec::kDecimalDod : ColdValueCodec::kDecimalDelta;
      v.exponent = plan.k;
      coldfmt::EncodeDecimal(samples, plan, &v.bytes);
    }
  }
  // With several time sections, keep the one that compresses smallest on its own: zstd finds
  // little shared between the time and value sections, and this saves a full compression of
  // the payload per extra time codec.
  if (times.size() > 1 && values.size() > 1) {
    size_t best_time = 0;
    size_t keep = 0;
    for (size_t i = 0; i < times.size(); ++i) {
      bool z = false;
      const size_t size =
          StoredSize(times[i].bytes, &compressed, &z) + HeaderExtension(times[i].time_codec);
      if (i == 0 || size < best_time) {
        best_time = size;
        keep = i;
      }
    }
    if (keep != 0) std::swap(times[0], times[keep]);
    times.resize(1);
  }

  size_t best_size = 0;
  const Section* best_t = nullptr;
  const Section* best_v = nullptr;
  bool best_zstd = false;
  for (const Section& t : times) {
    for (const Section& v : values) {
      payload = t.bytes;
      payload += v.bytes;
      bool z = false;
      const size_t size = StoredSize(payload, &compressed, &z) + HeaderExtension(t.time_codec);
      if (best_t == nullptr || size < best_size) {
        best_size = size;
        best_t = &t;
        best_v = &v;
        best_zstd = z;
        if (z) std::swap(best_compressed, compressed);
      }
    }
  }
  payload = best_t->bytes;
  payload += best_v->bytes;
  if (!options.store_zstd) best_zstd = false;

  std::string out;
  const auto flags = static_cast<uint8_t>(
      static_cast<uint8_t>(best_v->value_codec) |
      (best_t->time_codec == ColdTimeCodec::kDeltaFromBase ? coldfmt::kTimeCodecBit : 0) |
      (best_zstd ? coldfmt::kZstdBit : 0) | (best_v->exponent << coldfmt::kExponentShift));
  out.push_back(static_cast<char>(flags));
  if (HeaderExtension(best_t->time_codec) != 0) {
    out.push_back(static_cast<char>(coldfmt::kExtensionMarker));
    out.push_back(static_cast<char>(best_t->time_codec));
  }
  AppendUvarint(&out, samples.size());
  if (best_zstd) {
    AppendUvarint(&out, payload.size());
    out.append(best_compressed, sizeof(coldfmt::kZstdMagic), std::string::npos);
  } else {
    out += payload;
  }
  PutFixed32(&out, Crc32c(AsBytes(out)));
  if (info != nullptr) {
    info->num_samples = static_cast<uint32_t>(samples.size());
    info->time_codec = best_t->time_codec;
    info->value_codec = best_v->value_codec;
    info->decimal_exponent = best_v->exponent;
    info->zstd = best_zstd;
    info->encoded_bytes = out.size();
  }
  return out;
}

Status ColdEncoder::Impl::Verify(std::span<const Sample> samples, const std::string& block) {
  coldfmt::Header h;
  TM_RETURN_IF_ERROR(coldfmt::ParseHeader(AsBytes(block), &h));
  TM_RETURN_IF_ERROR(coldfmt::DecodeBlock(AsBytes(block), h, &scratch, &ts, &vals));
  if (h.n != samples.size()) return Status::Internal("cold verify: sample count differs");
  for (size_t i = 0; i < samples.size(); ++i) {
    if (ts[i] != samples[i].t || vals[i] != std::bit_cast<uint64_t>(samples[i].v)) {
      return Status::Internal("cold verify: sample " + std::to_string(i) + " differs");
    }
  }
  return Status::OK();
}

ColdEncoder::ColdEncoder(const ColdOptions& options) : impl_(std::make_unique<Impl>(options)) {}
ColdEncoder::~ColdEncoder() = default;

Result<std::string> ColdEncoder::Encode(std::span<const Sample> samples, ColdBlockInfo* info) {
  if (samples.empty()) return Status::InvalidArgument("cold block: no samples");
  if (samples.size() > kMaxSamplesPerColdBlock) {
    return Status::InvalidArgument("cold block: " + std::to_string(samples.size()) +
                                   " samples exceed the limit of " +
                                   std::to_string(kMaxSamplesPerColdBlock));
  }
  std::string block = impl_->Build(samples, impl_->options.force_xor_values, info);
  Status s = impl_->Verify(samples, block);
  if (s.ok()) return block;
  // Defence in depth: the decimal path failed to reproduce the input; XOR values always can.
  block = impl_->Build(samples, /*xor_only=*/true, info);
  Status s2 = impl_->Verify(samples, block);
  if (s2.ok()) return block;
  return Status::Internal("cold encoding failed verification: " + s.message() + "; " +
                          s2.message());
}

Result<std::string> EncodeCold(std::span<const Sample> samples, const ColdOptions& options,
                               ColdBlockInfo* info) {
  ColdEncoder encoder(options);
  return encoder.Encode(samples, info);
}

Result<ColdBlockInfo> InspectCold(std::span<const std::byte> bytes) {
  coldfmt::Header h;
  TM_RETURN_IF_ERROR(coldfmt::ParseHeader(bytes, &h));
  return coldfmt::InfoFromHeader(h, bytes.size());
}

}  // namespace tidemark::chunk
