// Labels: construction (sorted, empty values dropped), in-memory hashing, rendering and the
// validation ingestion applies.
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/strconv.h"

#include <algorithm>
#include <cstring>

namespace tidemark {
namespace {

void SortAndClean(std::vector<Label>& v) {
  std::erase_if(v, [](const Label& l) { return l.value.empty(); });
  std::stable_sort(v.begin(), v.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
}

// 64-bit FNV-1a variant mixed with a final avalanche; stable across runs and machines.
struct Hasher {
  uint64_t h = 0xcbf29ce484222325ULL;
  void Add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  }
  void Sep() {
    h ^= 0xff;
    h *= 0x100000001b3ULL;
  }
  uint64_t Finish() const {
    uint64_t x = h;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
  }
};

bool Contains(std::span<const std::string> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}


}  // namespace

Labels::Labels(std::vector<Label> labels) : labels_(std::move(labels)) { SortAndClean(labels_); }

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  labels_.reserve(pairs.size());
  for (const auto& [n, v] : pairs) labels_.push_back({std::string(n), std::string(v)});
  SortAndClean(labels_);
}

std::string_view Labels::Get(std::string_view name) const {
  for (const auto& l : labels_) {
    if (l.name == name) return l.value;
  }
  return {};
}

bool Labels::Has(std::string_view name) const { return !Get(name).empty(); }

uint64_t Labels::Hash() const {
  Hasher h;
  for (const auto& l : labels_) {
    h.Add(l.name);
    h.Sep();
    h.Add(l.value);
    h.Sep();
  }
  return h.Finish();
}

uint64_t Labels::HashFor(std::span<const std::string> names, bool include) const {
  Hasher h;
  for (const auto& l : labels_) {
    if (Contains(names, l.name) != include) continue;
    h.Add(l.name);
    h.Sep();
    h.Add(l.value);
    h.Sep();
  }
  return h.Finish();
}

std::string Labels::ToString() const {
  std::string out;
  std::string_view name = MetricName();
  // A name outside the legacy charset goes inside the braces, quoted: {"my.metric", job="x"}.
  const bool quoted_name = !name.empty() && !IsValidMetricName(name);
  if (!quoted_name) out += name;
  bool any = false;
  auto next = [&] {
    out += any ? ", " : "{";
    any = true;
  };
  if (quoted_name) {
    next();
    AppendQuote(out, name);
  }
  for (const auto& l : labels_) {
    if (l.name == kMetricName) continue;
    next();
    if (IsValidLabelName(l.name)) {
      out += l.name;
    } else {
      AppendQuote(out, l.name);
    }
    out += '=';
    AppendQuote(out, l.value);
  }
  if (any) {
    out += '}';
  } else if (name.empty()) {
    out += "{}";
  }
  return out;
}

Labels Labels::WithoutMetricName() const {
  Labels out;
  out.labels_.reserve(labels_.size());
  for (const auto& l : labels_) {
    if (l.name != kMetricName) out.labels_.push_back(l);
  }
  return out;
}

Labels Labels::Keep(std::span<const std::string> names) const {
  Labels out;
  for (const auto& l : labels_) {
    if (Contains(names, l.name)) out.labels_.push_back(l);
  }
  return out;
}

Labels Labels::Drop(std::span<const std::string> names) const {
  Labels out;
  for (const auto& l : labels_) {
    if (!Contains(names, l.name)) out.labels_.push_back(l);
  }
  return out;
}

Labels Labels::With(std::string_view name, std::string_view value) const {
  return LabelsBuilder(*this).Set(name, value).Build();
}

std::strong_ordering Labels::operator<=>(const Labels& o) const {
  size_t n = std::min(labels_.size(), o.labels_.size());
  for (size_t i = 0; i < n; ++i) {
    if (auto c = labels_[i].name <=> o.labels_[i].name; c != 0) return c;
    if (auto c = labels_[i].value <=> o.labels_[i].value; c != 0) return c;
  }
  return labels_.size() <=> o.labels_.size();
}

LabelsBuilder::LabelsBuilder(const Labels& base)
    : labels_(base.items()), base_end_(labels_.size()) {}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  for (size_t i = base_end_; i < labels_.size(); ++i) {
    if (labels_[i].name == name) {
      labels_[i].value = std::string(value);
      return *this;
    }
  }
  for (size_t i = 0; i < base_end_; ++i) {
    if (labels_[i].name == name) {
      labels_[i].value.clear();
      break;
    }
  }
  labels_.push_back({std::string(name), std::string(value)});
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  for (size_t i = base_end_; i < labels_.size(); ++i) {
    if (labels_[i].name == name) {
      labels_.erase(labels_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  for (size_t i = 0; i < base_end_; ++i) {
    if (labels_[i].name == name) {
      labels_[i].value.clear();
      break;
    }
  }
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (size_t i = labels_.size(); i-- > 0;) {
    if (labels_[i].name == name) return labels_[i].value;
  }
  return {};
}

Labels LabelsBuilder::Build() const { return Labels(labels_); }

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    int n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + static_cast<size_t>(n) >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Reject overlong encodings, surrogates and code points past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

Status ValidateLabels(const Labels& labels) {
  if (labels.empty()) return Status::InvalidArgument("empty label set");
  std::string_view prev;
  bool first = true;
  for (const auto& l : labels) {
    if (!first && l.name == prev) {
      return Status::InvalidArgument("duplicate label name \"" + l.name + "\" in " +
                                     labels.ToString());
    }
    first = false;
    prev = l.name;
    if (l.name == kMetricName) {
      if (!IsValidMetricName(l.value)) {
        return Status::InvalidArgument("invalid metric name \"" + l.value + "\"");
      }
      continue;
    }
    if (!IsValidLabelName(l.name)) {
      return Status::InvalidArgument("invalid label name \"" + l.name + "\" in " +
                                     labels.ToString());
    }
    if (!IsValidUtf8(l.value)) {
      return Status::InvalidArgument("label \"" + l.name + "\" has a value that is not valid UTF-8");
    }
  }
  return Status::OK();
}

}  // namespace tidemark
