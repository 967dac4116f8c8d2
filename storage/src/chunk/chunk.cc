// Chunk factories and whole-chunk helpers shared by every encoding.
#include "tidemark/storage/chunk/chunk.h"

#include "chunk/cold_chunk.h"
#include "chunk/read_batch.h"
#include "chunk/xor_appender.h"
#include "chunk/xor_chunk.h"

namespace tidemark::chunk {

size_t ChunkIterator::ReadBatch(Timestamp maxt, Sample* out, size_t n, ValueType* vt) {
  return ReadBatchLoop(*this, maxt, out, n, vt);
}

std::unique_ptr<Chunk> NewXorChunk() { return std::make_unique<XorChunk>(); }

Result<std::unique_ptr<Chunk>> ChunkFromBytes(Encoding encoding,
                                              std::span<const std::byte> bytes) {
  switch (encoding) {
    case Encoding::kXor:
      TM_RETURN_IF_ERROR(XorChunk::CheckHeader(bytes));
      return std::unique_ptr<Chunk>(std::make_unique<XorChunk>(bytes));
    case Encoding::kCold:
      return ColdChunk::View(bytes);
    case Encoding::kNone:
      break;
  }
  return Status::InvalidArgument("unknown chunk encoding " +
                                 std::to_string(static_cast<int>(encoding)));
}

Result<std::unique_ptr<Chunk>> ChunkFromOwnedBytes(Encoding encoding, std::string bytes) {
  switch (encoding) {
    case Encoding::kXor:
      TM_RETURN_IF_ERROR(XorChunk::CheckHeader(AsBytes(bytes)));
      return std::unique_ptr<Chunk>(std::make_unique<XorChunk>(std::move(bytes)));
    case Encoding::kCold:
      return ColdChunk::Own(std::move(bytes));
    case Encoding::kNone:
      break;
  }
  return Status::InvalidArgument("unknown chunk encoding " +
                                 std::to_string(static_cast<int>(encoding)));
}

Result<std::vector<Sample>> DecodeAll(const Chunk& chunk) {
  std::vector<Sample> out;
  out.reserve(chunk.num_samples());
  auto it = chunk.iterator(nullptr);
  while (it->Next() == ValueType::kFloat) out.push_back(it->At());
  if (!it->status().ok()) return it->status();
  if (out.size() != chunk.num_samples()) {
    return Status::Corruption("chunk: decoded " + std::to_string(out.size()) +
                              " samples, header says " + std::to_string(chunk.num_samples()));
  }
  return out;
}

Status ValidateChunk(const Chunk& chunk) {
  auto it = chunk.iterator(nullptr);
  uint32_t n = 0;
  while (it->Next() == ValueType::kFloat) ++n;
  TM_RETURN_IF_ERROR(it->status());
  if (n != chunk.num_samples()) {
    return Status::Corruption("chunk: decoded " + std::to_string(n) + " samples, header says " +
                              std::to_string(chunk.num_samples()));
  }
  return Status::OK();
}

std::string EncodeXor(std::span<const Sample> samples) {
  std::string buf(2, '\0');
  XorAppender app(&buf, xorfmt::State{}, 16);
  for (const Sample& s : samples) app.Append(s.t, s.v);
  return buf;
}

}  // namespace tidemark::chunk
