// Batch file layout: "TME2EBF1", header fields (little-endian), then per batch
// {u32 shard, u32 window, u32 num_samples, u32 body_len, body}.
#include "batch_file.h"

#include <cstring>

namespace tidemark::e2e {
namespace {

constexpr char kMagic[8] = {'T', 'M', 'E', '2', 'E', 'B', 'F', '1'};
constexpr size_t kHeaderSize = sizeof(kMagic) + 4 + 4 + 8 * 4;
constexpr size_t kRecordHeaderSize = 16;

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T Get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  p += sizeof(v);
  return v;
}

std::string EncodeHeader(const BatchFileHeader& h) {
  std::string out(kMagic, sizeof(kMagic));
  Put(out, h.num_shards);
  Put(out, h.num_windows);
  Put(out, h.num_series);
  Put(out, h.num_samples);
  Put(out, h.min_ts);
  Put(out, h.max_ts);
  return out;
}

}  // namespace

BatchFileWriter::~BatchFileWriter() {
  if (f_ != nullptr) std::fclose(f_);
}

bool BatchFileWriter::Open(const std::string& path, std::string* error) {
  f_ = std::fopen(path.c_str(), "wb");
  if (f_ == nullptr) {
    *error = "cannot create " + path;
    return false;
  }
  const std::string placeholder = EncodeHeader({});
  bytes_ = static_cast<int64_t>(placeholder.size());
  return std::fwrite(placeholder.data(), 1, placeholder.size(), f_) == placeholder.size();
}

bool BatchFileWriter::Append(uint32_t shard, uint32_t window, uint32_t num_samples,
                             std::string_view body) {
  std::string rec;
  Put(rec, shard);
  Put(rec, window);
  Put(rec, num_samples);
  Put(rec, static_cast<uint32_t>(body.size()));
  bytes_ += static_cast<int64_t>(rec.size() + body.size());
  ++batches_;
  return std::fwrite(rec.data(), 1, rec.size(), f_) == rec.size() &&
         std::fwrite(body.data(), 1, body.size(), f_) == body.size();
}

bool BatchFileWriter::Close(const BatchFileHeader& header, std::string* error) {
  const std::string h = EncodeHeader(header);
  const bool ok = std::fseek(f_, 0, SEEK_SET) == 0 && std::fwrite(h.data(), 1, h.size(), f_) == h.size();
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok || !closed) *error = "write failed";
  return ok && closed;
}

bool LoadBatchFile(const std::string& path, LoadedBatchFile* out, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = "cannot open " + path;
    return false;
  }
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  out->data.resize(size > 0 ? static_cast<size_t>(size) : 0);
  const bool read_ok = std::fread(out->data.data(), 1, out->data.size(), f) == out->data.size();
  std::fclose(f);
  if (!read_ok || out->data.size() < kHeaderSize ||
      std::memcmp(out->data.data(), kMagic, sizeof(kMagic)) != 0) {
    *error = path + ": not a batch file";
    return false;
  }
  const char* p = out->data.data() + sizeof(kMagic);
  BatchFileHeader& h = out->header;
  h.num_shards = Get<uint32_t>(p);
  h.num_windows = Get<uint32_t>(p);
  h.num_series = Get<int64_t>(p);
  h.num_samples = Get<int64_t>(p);
  h.min_ts = Get<int64_t>(p);
  h.max_ts = Get<int64_t>(p);
  const char* end = out->data.data() + out->data.size();
  while (p < end) {
    if (static_cast<size_t>(end - p) < kRecordHeaderSize) {
      *error = path + ": truncated record header";
      return false;
    }
    Batch b;
    b.shard = Get<uint32_t>(p);
    b.window = Get<uint32_t>(p);
    b.num_samples = Get<uint32_t>(p);
    const uint32_t len = Get<uint32_t>(p);
    if (static_cast<size_t>(end - p) < len || b.shard >= h.num_shards) {
      *error = path + ": bad record";
      return false;
    }
    b.body = std::string_view(p, len);
    p += len;
    out->batches.push_back(b);
  }
  return true;
}

}  // namespace tidemark::e2e
