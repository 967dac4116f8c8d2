// XorChunk: a Gorilla-encoded chunk that owns its bytes or views someone else's.
#pragma once

#include <span>
#include <string>

#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

class XorChunk final : public Chunk {
 public:
  // An empty, owning chunk.
  XorChunk();
  // A chunk viewing `bytes` (which must outlive it). REQUIRES: bytes.size() >= 2.
  explicit XorChunk(std::span<const std::byte> bytes) : view_(bytes), owned_(false) {}
  // A chunk owning `bytes`. REQUIRES: bytes.size() >= 2.
  explicit XorChunk(std::string bytes);

  // Cheap structural checks on a would-be XOR chunk: header present, count plausible for size.
  static Status CheckHeader(std::span<const std::byte> bytes);

  Encoding encoding() const override { return Encoding::kXor; }
  std::span<const std::byte> bytes() const override;
  uint32_t num_samples() const override;
  Result<std::unique_ptr<ChunkAppender>> appender() override;
  std::unique_ptr<ChunkIterator> iterator(std::unique_ptr<ChunkIterator> reuse) const override;

 private:
  std::span<const std::byte> view_;
  std::string buf_;
  bool owned_ = true;
};

}  // namespace tidemark::chunk
