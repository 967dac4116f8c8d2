// XorIterator: decodes an XOR chunk sample by sample, reporting damage as kCorruption.
#include "chunk/xor_iterator.h"

#include <bit>
#include <string>

#include "chunk/xor_codec.h"

namespace tidemark::chunk {

void XorIterator::Reset(std::span<const std::byte> bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  state_ = xorfmt::State{};
  exhausted_ = false;
  status_ = Status::OK();
  if (bytes.size() < xorfmt::kHeaderBytes) {
    // ChunkFromBytes rejects this; an iterator built anyway reports it.
    reader_ = BitReader();
    total_ = 0;
    status_ = Status::Corruption("xor chunk: shorter than its 2-byte header");
    exhausted_ = true;
    return;
  }
  total_ = (uint32_t{data[0]} << 8) | data[1];
  reader_ = BitReader(data, bytes.size(), xorfmt::kHeaderBits);
}

ValueType XorIterator::Fail(const char* what) {
  exhausted_ = true;
  status_ = Status::Corruption(std::string("xor chunk: ") + what + " at sample " +
                               std::to_string(state_.n) + " of " + std::to_string(total_));
  return ValueType::kNone;
}

ValueType XorIterator::Next() {
  if (exhausted_) return ValueType::kNone;
  if (state_.n >= total_) {
    exhausted_ = true;
    return ValueType::kNone;
  }
  if (state_.n == 0) {
    uint64_t zz = 0;
    if (!reader_.ReadUvarint(&zz)) return Fail("bad first timestamp");
    state_.t = static_cast<uint64_t>(xorfmt::UnZigZag(zz));
    if (!reader_.ReadBits(64, &state_.v_bits)) return Fail("truncated first value");
  } else {
    if (state_.n == 1) {
      uint64_t zz = 0;
      if (!reader_.ReadUvarint(&zz)) return Fail("bad first delta");
      state_.delta = static_cast<uint64_t>(xorfmt::UnZigZag(zz));
    } else {
      int64_t dod = 0;
      if (!xorfmt::ReadDod(reader_, &dod)) return Fail("bad timestamp delta-of-delta");
      state_.delta += static_cast<uint64_t>(dod);
    }
    state_.t += state_.delta;
    if (!xorfmt::ReadValue(reader_, &state_.v_bits, &state_.leading, &state_.trailing)) {
      return Fail("bad value");
    }
  }
  ++state_.n;
  return ValueType::kFloat;
}

ValueType XorIterator::Seek(Timestamp t) {
  if (exhausted_) return ValueType::kNone;
  if (state_.n > 0 && static_cast<Timestamp>(state_.t) >= t) return ValueType::kFloat;
  while (Next() == ValueType::kFloat) {
    if (static_cast<Timestamp>(state_.t) >= t) return ValueType::kFloat;
  }
  return ValueType::kNone;
}

Sample XorIterator::At() const {
  return Sample{static_cast<Timestamp>(state_.t), std::bit_cast<double>(state_.v_bits)};
}

// What ReadBatchLoop does with At()/Next(), but samples after the second with room left for
// any encoding are decoded on local copies of the reader and state: the members would be
// re-read after every store to `out` (which may alias them), and Next() re-checks what a run
// of samples settles once. The first two samples, the end of the data and anything the fast
// decoder refuses go through Next(), which also reports damage exactly as before.
size_t XorIterator::ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  size_t k = 0;
  while (k < n) {
    const Sample s = At();
    if (s.t > maxt) break;
    out[k++] = s;
    BitReader r = reader_;
    xorfmt::State st = state_;
    bool positioned = false;  // at a decoded sample that is not in `out`
    const uint32_t total = exhausted_ ? 0 : total_;
    while (st.n >= 2 && st.n < total && r.remaining() >= xorfmt::kMaxSampleBits &&
           xorfmt::ReadSampleUnchecked(r, &st)) {
      if (static_cast<Timestamp>(st.t) > maxt || k == n) {
        positioned = true;
        break;
      }
      out[k++] = Sample{static_cast<Timestamp>(st.t), std::bit_cast<double>(st.v_bits)};
    }
    reader_ = r;
    state_ = st;
    if (positioned) {
      *vt = ValueType::kFloat;
      return k;
    }
    *vt = Next();
    if (*vt == ValueType::kNone) break;
  }
  return k;
}

}  // namespace tidemark::chunk
