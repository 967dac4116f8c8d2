// ColdChunk: read side of a cold block (cold.h); immutable, owns or views its bytes.
#include "chunk/cold_chunk.h"

#include "chunk/cold_iterator.h"

namespace tidemark::chunk {

Result<std::unique_ptr<Chunk>> ColdChunk::View(std::span<const std::byte> bytes) {
  coldfmt::Header h;
  TM_RETURN_IF_ERROR(coldfmt::ParseHeader(bytes, &h));
  return std::unique_ptr<Chunk>(std::make_unique<ColdChunk>(bytes, std::string(), h));
}

Result<std::unique_ptr<Chunk>> ColdChunk::Own(std::string bytes) {
  coldfmt::Header h;
  TM_RETURN_IF_ERROR(coldfmt::ParseHeader(AsBytes(bytes), &h));
  return std::unique_ptr<Chunk>(std::make_unique<ColdChunk>(std::span<const std::byte>(), std::move(bytes), h));
}

std::span<const std::byte> ColdChunk::bytes() const {
  if (!buf_.empty()) return AsBytes(buf_);
  return view_;
}

Result<std::unique_ptr<ChunkAppender>> ColdChunk::appender() {
  return Status::InvalidArgument("cold chunks are immutable; decode and re-encode to extend");
}

std::unique_ptr<ChunkIterator> ColdChunk::iterator(std::unique_ptr<ChunkIterator> reuse) const {
  if (auto* it = dynamic_cast<ColdIterator*>(reuse.get())) {
    it->Reset(bytes(), header_);
    return reuse;
  }
  auto it = std::make_unique<ColdIterator>();
  it->Reset(bytes(), header_);
  return it;
}

}  // namespace tidemark::chunk
