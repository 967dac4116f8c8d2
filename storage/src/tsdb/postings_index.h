// In-memory inverted index (label name, value) -> sorted series refs, and matcher evaluation on it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/storage/matcher.h"
#include "tidemark/storage/model/sample.h"

namespace tidemark::tsdb {

using Postings = std::vector<SeriesRef>;  // sorted ascending, unique

// Not thread-safe: the store guards it with its index lock (shared for reads).
class PostingsIndex {
 public:
  using ValueMap = std::map<std::string, Postings, std::less<>>;

  PostingsIndex() = default;
  PostingsIndex(const PostingsIndex&) = delete;
  PostingsIndex& operator=(const PostingsIndex&) = delete;

  // `labels_enc` as produced by EncodeLabels. Refs are usually added in increasing order, which
  // keeps this an append; an older ref is inserted in place.
  void Add(SeriesRef ref, std::string_view labels_enc);
  void Remove(SeriesRef ref, std::string_view labels_enc);
  // Removes many series at once: each touched postings list is filtered in one pass, so evicting
  // thousands of series sharing a label costs one pass over its list, not one per series.
  // Items are (ref, labels_enc).
  void RemoveMany(const std::vector<std::pair<SeriesRef, std::string_view>>& items);

  // Refs of series whose labels satisfy every matcher, Prometheus semantics: a matcher that
  // accepts "" also accepts series lacking the label. No matchers: every series.
  Postings Select(const Matchers& matchers) const;

  const ValueMap* Values(std::string_view name) const;
  const std::map<std::string, ValueMap, std::less<>>& all_names() const { return idx_; }
  const Postings& all() const { return all_; }

 private:
  // Union of the postings of the values of `vm` for which `m.Matches(v) == want`.
  Postings UnionWhere(const ValueMap& vm, const Matcher& m, bool want) const;

  std::map<std::string, ValueMap, std::less<>> idx_;
  Postings all_;
};

Postings Intersect(const Postings& a, const Postings& b);
Postings Subtract(const Postings& a, const Postings& b);

}  // namespace tidemark::tsdb
