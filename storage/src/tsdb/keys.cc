// Encoders/decoders for the key layouts declared in keys.h.
#include "tsdb/keys.h"

namespace tidemark::tsdb {

void PutBE64(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

uint64_t GetBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

namespace {
int64_t FloorDiv(int64_t t, int64_t d) {
  int64_t q = t / d;
  if (t % d != 0 && t < 0) --q;
  return q;
}
}  // namespace

int64_t PartitionOf(Timestamp t) { return FloorDiv(t, kPartitionMs); }
int64_t ColdWindowOf(Timestamp t) { return FloorDiv(t, kColdWindowMs); }

std::string SeriesKey(SeriesRef ref) {
  std::string k;
  PutBE64(&k, ref);
  return k;
}

std::string HashKey(uint64_t hash, SeriesRef ref) {
  std::string k;
  PutBE64(&k, hash);
  PutBE64(&k, ref);
  return k;
}

std::string PostingPrefix(std::string_view name, std::string_view value) {
  std::string k;
  AppendUvarint(&k, name.size());
  k.append(name);
  AppendUvarint(&k, value.size());
  k.append(value);
  return k;
}

std::string PostingKey(std::string_view name, std::string_view value, SeriesRef ref) {
  std::string k = PostingPrefix(name, value);
  PutBE64(&k, ref);
  return k;
}

std::string HeadLogKey(uint64_t seq) { return SeriesKey(seq); }
std::string HeadMarkKey(SeriesRef ref) { return SeriesKey(ref); }

std::string ColdTodoKey(int64_t window, SeriesRef ref) {
  std::string k;
  k.reserve(16);
  PutBE64(&k, FlipSign(window));
  PutBE64(&k, ref);
  return k;
}

bool DecodeColdTodoKey(std::string_view key, int64_t* window, SeriesRef* ref) {
  if (key.size() != 16) return false;
  *window = UnflipSign(GetBE64(key.data()));
  *ref = GetBE64(key.data() + 8);
  return true;
}

std::string EncodeChunkKey(const ChunkKey& k) {
  std::string out;
  out.reserve(kChunkKeySize);
  PutBE64(&out, FlipSign(k.partition));
  PutBE64(&out, k.ref);
  PutBE64(&out, FlipSign(k.maxt));
  PutBE64(&out, k.id);
  return out;
}

bool DecodeChunkKey(std::string_view key, ChunkKey* k) {
  if (key.size() != kChunkKeySize) return false;
  k->partition = UnflipSign(GetBE64(key.data()));
  k->ref = GetBE64(key.data() + 8);
  k->maxt = UnflipSign(GetBE64(key.data() + 16));
  k->id = GetBE64(key.data() + 24);
  return true;
}

std::string ChunkSeriesPrefix(int64_t partition, SeriesRef ref) {
  std::string out;
  PutBE64(&out, FlipSign(partition));
  PutBE64(&out, ref);
  return out;
}

std::string PartitionPrefix(int64_t partition) {
  std::string out;
  PutBE64(&out, FlipSign(partition));
  return out;
}

std::string EncodeChunkValue(uint8_t encoding, Timestamp mint, std::string_view bytes) {
  std::string v;
  v.reserve(bytes.size() + 11);
  v.push_back(static_cast<char>(encoding));
  AppendUvarint(&v, ZigZag(mint));
  v.append(bytes);
  return v;
}

bool DecodeChunkValue(std::string_view value, uint8_t* encoding, Timestamp* mint,
                      std::string_view* bytes) {
  if (value.empty()) return false;
  *encoding = static_cast<uint8_t>(value[0]);
  value.remove_prefix(1);
  uint64_t z = 0;
  if (!ReadUvarint(&value, &z)) return false;
  *mint = UnZigZag(z);
  *bytes = value;
  return true;
}

std::string EncodeHeadMark(const HeadMark& m) {
  std::string v;
  AppendUvarint(&v, m.seq);
  AppendUvarint(&v, m.ord);
  AppendUvarint(&v, ZigZag(m.persisted_min));
  AppendUvarint(&v, ZigZag(m.persisted_max));
  return v;
}

bool DecodeHeadMark(std::string_view v, HeadMark* m) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  if (!ReadUvarint(&v, &a) || !ReadUvarint(&v, &b) || !ReadUvarint(&v, &c) ||
      !ReadUvarint(&v, &d)) {
    return false;
  }
  m->seq = a;
  m->ord = b;
  m->persisted_min = UnZigZag(c);
  m->persisted_max = UnZigZag(d);
  return true;
}

}  // namespace tidemark::tsdb
