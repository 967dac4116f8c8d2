// ColdChunk: read side of a cold block (cold.h); immutable, owns or views its bytes.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "chunk/cold_format.h"
#include "tidemark/storage/chunk/chunk.h"

namespace tidemark::chunk {

class ColdChunk final : public Chunk {
 public:
  // Checks the header and checksum (kCorruption on failure) and builds a viewing/owning chunk.
  static Result<std::unique_ptr<Chunk>> View(std::span<const std::byte> bytes);
  static Result<std::unique_ptr<Chunk>> Own(std::string bytes);

  Encoding encoding() const override { return Encoding::kCold; }
  std::span<const std::byte> bytes() const override;
  uint32_t num_samples() const override { return header_.n; }
  Result<std::unique_ptr<ChunkAppender>> appender() override;
  std::unique_ptr<ChunkIterator> iterator(std::unique_ptr<ChunkIterator> reuse) const override;

  // Use View/Own: `h` must be ParseHeader's result for the bytes (`view`, or `owned` if set).
  ColdChunk(std::span<const std::byte> view, std::string owned, const coldfmt::Header& h)
      : view_(view), buf_(std::move(owned)), header_(h) {}

 private:
  std::span<const std::byte> view_;  // empty when owning
  std::string buf_;
  coldfmt::Header header_;
};

}  // namespace tidemark::chunk
