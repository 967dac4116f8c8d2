// PtrIndex: the evaluator's pointer-keyed open-addressing map (per-series caches).
#include "eval/ptr_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace tidemark::query::eval {
namespace {

TEST(PtrIndexTest, EmptyFindsNothing) {
  PtrIndex idx;
  int x = 0;
  EXPECT_EQ(idx.Find(&x), PtrIndex::kNone);
  EXPECT_EQ(idx.size(), 0u);
}

TEST(PtrIndexTest, KeepsEveryValueAcrossGrowth) {
  // Heap objects of one size: neighbouring addresses, the common case for interned label sets.
  std::vector<std::unique_ptr<int>> objs;
  PtrIndex idx;
  for (uint32_t i = 0; i < 5000; ++i) {
    objs.push_back(std::make_unique<int>(static_cast<int>(i)));
    idx.Insert(objs.back().get(), i * 3);
  }
  EXPECT_EQ(idx.size(), 5000u);
  for (uint32_t i = 0; i < 5000; ++i) EXPECT_EQ(idx.Find(objs[i].get()), i * 3) << i;
  int other = 0;
  EXPECT_EQ(idx.Find(&other), PtrIndex::kNone);
}

TEST(PtrIndexTest, AdjacentArrayElementsAreDistinct) {
  int arr[64] = {};
  PtrIndex idx;
  for (uint32_t i = 0; i < 64; i += 2) idx.Insert(&arr[i], i);
  for (uint32_t i = 0; i < 64; ++i) {
    EXPECT_EQ(idx.Find(&arr[i]), i % 2 == 0 ? i : PtrIndex::kNone) << i;
  }
}

}  // namespace
}  // namespace tidemark::query::eval
