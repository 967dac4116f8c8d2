// Label-set hashing and the open-addressing hash -> ref table.
#include "tsdb/series_hash_table.h"

#include <bit>
#include <algorithm>
#include <cstring>

namespace tidemark::tsdb {
namespace {

constexpr uint64_t kMul = 0x9fb21c651e98df25ULL;

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline uint64_t Round(uint64_t h, uint64_t w) {
  h ^= w * kMul;
  h = std::rotl(h, 27) * 0x94d049bb133111ebULL;
  return h;
}

inline uint64_t HashString(uint64_t h, std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    h = Round(h, Load64(p));
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  // The length goes in with the tail so "ab","c" and "a","bc" differ.
  return Round(h, tail ^ (static_cast<uint64_t>(s.size()) << 56));
}

template <typename Range>
uint64_t HashPairs(const Range& labels) {
  uint64_t h = 0x2545f4914f6cdd1dULL ^ labels.size();
  for (const auto& l : labels) {
    h = HashString(h, l.name);
    h = HashString(h, l.value);
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

uint64_t SeriesHash(const Labels& labels) { return HashPairs(labels); }

uint64_t SeriesHash(std::span<const LabelPairView> labels) { return HashPairs(labels); }

void SeriesHashTable::Rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  size_ = used_ = 0;
  for (const Slot& s : old) {
    if (s.ref != kEmpty && s.ref != kTombstone) Insert(s.hash, s.ref);
  }
}

void SeriesHashTable::Insert(uint64_t hash, SeriesRef ref) {
  if ((used_ + 1) * 2 > slots_.size()) {
    // Grow when live entries dominate; otherwise just clear tombstones.
    Rehash(std::max<size_t>(64, (size_ + 1) * 4 > slots_.size() ? slots_.size() * 2 : slots_.size()));
  }
  const size_t mask = slots_.size() - 1;
  size_t i = Mix(hash) & mask;
  while (slots_[i].ref != kEmpty && slots_[i].ref != kTombstone) i = (i + 1) & mask;
  if (slots_[i].ref == kEmpty) ++used_;
  slots_[i] = Slot{hash, ref};
  ++size_;
}

void SeriesHashTable::MaybeShrink() {
  if (slots_.size() <= 64 || size_ * 8 > slots_.size()) return;
  size_t capacity = 64;
  while (capacity < size_ * 4) capacity *= 2;
  Rehash(capacity);
}

void SeriesHashTable::Erase(uint64_t hash, SeriesRef ref) {
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Mix(hash) & mask; slots_[i].ref != kEmpty; i = (i + 1) & mask) {
    if (slots_[i].hash == hash && slots_[i].ref == ref) {
      slots_[i].ref = kTombstone;
      --size_;
      return;
    }
  }
}

}  // namespace tidemark::tsdb
