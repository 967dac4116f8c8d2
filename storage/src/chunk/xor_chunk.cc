// XorChunk: a Gorilla-encoded chunk that owns its bytes or views someone else's.
#include "chunk/xor_chunk.h"

#include "chunk/xor_appender.h"
#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"

namespace tidemark::chunk {

XorChunk::XorChunk() : buf_(xorfmt::kHeaderBytes, '\0') {}

XorChunk::XorChunk(std::string bytes) : buf_(std::move(bytes)) {}

Status XorChunk::CheckHeader(std::span<const std::byte> bytes) {
  if (bytes.size() < xorfmt::kHeaderBytes) {
    return Status::Corruption("xor chunk: " + std::to_string(bytes.size()) +
                              " bytes, shorter than its 2-byte header");
  }
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint32_t n = (uint32_t{d[0]} << 8) | d[1];
  if (n == 0) return Status::OK();
  const size_t bits = (bytes.size() - xorfmt::kHeaderBytes) * 8;
  const size_t need =
      xorfmt::kMinFirstSampleBits + size_t{n - 1} * xorfmt::kMinLaterSampleBits;
  if (bits < need) {
    return Status::Corruption("xor chunk: header claims " + std::to_string(n) + " samples but " +
                              std::to_string(bytes.size()) + " bytes cannot hold them");
  }
  return Status::OK();
}

std::span<const std::byte> XorChunk::bytes() const {
  if (!owned_) return view_;
  return std::as_bytes(std::span<const char>(buf_.data(), buf_.size()));
}

uint32_t XorChunk::num_samples() const {
  const auto b = bytes();
  if (b.size() < xorfmt::kHeaderBytes) return 0;
  return (uint32_t{std::to_integer<uint8_t>(b[0])} << 8) | std::to_integer<uint8_t>(b[1]);
}

Result<std::unique_ptr<ChunkAppender>> XorChunk::appender() {
  if (!owned_) {  // copy on first write
    buf_.assign(reinterpret_cast<const char*>(view_.data()), view_.size());
    owned_ = true;
    view_ = {};
  }
  if (buf_.size() < xorfmt::kHeaderBytes) {
    return Status::Corruption("xor chunk: shorter than its 2-byte header");
  }
  // Replay to rebuild the encoder state and find where the bitstream ends.
  XorIterator it(bytes());
  while (it.Next() == ValueType::kFloat) {
  }
  if (!it.status().ok()) return it.status();
  return std::unique_ptr<ChunkAppender>(
      std::make_unique<XorAppender>(&buf_, it.state(), it.bit_position()));
}

std::unique_ptr<ChunkIterator> XorChunk::iterator(std::unique_ptr<ChunkIterator> reuse) const {
  if (auto* it = dynamic_cast<XorIterator*>(reuse.get())) {
    it->Reset(bytes());
    return reuse;
  }
  return std::make_unique<XorIterator>(bytes());
}

}  // namespace tidemark::chunk
