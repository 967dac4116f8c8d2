// PtrIndex: an open-addressing map from an interned pointer to a small integer, for per-series
// caches that are probed once per series and step (std::unordered_map costs a division and a
// pointer chase per probe; this is one multiply and usually one cache line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tidemark::query::eval {

class PtrIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The value stored for `p`, or kNone.
  uint32_t Find(const void* p) const {
    if (slots_.empty()) return kNone;
    for (std::size_t i = Home(p);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == p) return s.value;
      if (s.key == nullptr) return kNone;
    }
  }

  // Stores `value` for `p` (which must not be present yet, nor null).
  void Insert(const void* p, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Place(p, value);
    ++size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    const void* key = nullptr;
    uint32_t value = 0;
  };

  std::size_t Home(const void* p) const {
    auto x = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
    return static_cast<std::size_t>((x * 0x9E3779B97F4A7C15ULL) >> shift_) & mask_;
  }
  void Place(const void* p, uint32_t value) {
    std::size_t i = Home(p);
    while (slots_[i].key != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{p, value};
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    std::size_t n = old.empty() ? 16 : old.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1) --shift_;
    for (const Slot& s : old) {
      if (s.key != nullptr) Place(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace tidemark::query::eval
