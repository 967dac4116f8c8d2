// Binary operators: scalar/scalar, vector/scalar and vector/vector with on/ignoring,
// group_left/group_right, bool, and the set operators and/or/unless.
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "eval/evaluator.h"

namespace tidemark::query::eval {
namespace {

bool ChangesMetricSchema(BinOp op) {
  switch (op) {
    case BinOp::kAdd: case BinOp::kSub: case BinOp::kMul: case BinOp::kDiv:
    case BinOp::kPow: case BinOp::kMod: case BinOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Returns the value and whether the element is kept (comparisons filter).
std::pair<double, bool> ElemBinop(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd: return {l + r, true};
    case BinOp::kSub: return {l - r, true};
    case BinOp::kMul: return {l * r, true};
    case BinOp::kDiv: return {l / r, true};
    case BinOp::kPow: return {std::pow(l, r), true};
    case BinOp::kMod: return {std::fmod(l, r), true};
    case BinOp::kAtan2: return {std::atan2(l, r), true};
    case BinOp::kEql: return {l, l == r};
    case BinOp::kNeq: return {l, l != r};
    case BinOp::kGtr: return {l, l > r};
    case BinOp::kLss: return {l, l < r};
    case BinOp::kGte: return {l, l >= r};
    case BinOp::kLte: return {l, l <= r};
    default: break;
  }
  FailExec("operator \"" + std::string(BinOpString(op)) + "\" not allowed for this operation");
}

double ScalarBinop(BinOp op, double l, double r) {
  auto [v, keep] = ElemBinop(op, l, r);
  if (IsComparison(op)) return keep ? 1 : 0;
  return v;
}

// Prometheus' labels.String(): every label inside braces, __name__ included.
std::string FullString(const Labels& l) {
  std::string out = "{";
  bool first = true;
  for (const auto& lb : l) {
    if (!first) out += ", ";
    first = false;
    out += lb.name + "=\"";
    for (char c : lb.value) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"";
  }
  return out + "}";
}

class Signer {
 public:
  explicit Signer(const VectorMatching& m) : on_(m.on), names_(m.labels) {
    if (!on_) names_.push_back(std::string(kMetricName));
  }
  uint64_t Sig(const Labels& l) const { return l.HashFor(names_, on_); }
  Labels MatchLabels(const Labels& l) const { return on_ ? l.Keep(names_) : l.Drop(names_); }

 private:
  bool on_;
  std::vector<std::string> names_;
};

EVector SetOp(BinOp op, EVector lhs, EVector rhs, const VectorMatching& m) {
  Signer signer(m);
  EVector out;
  switch (op) {
    case BinOp::kAnd: {
      if (lhs.empty() || rhs.empty()) return out;
      std::unordered_set<uint64_t> right;
      for (const auto& s : rhs) right.insert(signer.Sig(*s.metric));
      for (auto& s : lhs) {
        if (right.count(signer.Sig(*s.metric))) out.push_back(std::move(s));
      }
      return out;
    }
    case BinOp::kOr: {
      if (lhs.empty()) return rhs;
      if (rhs.empty()) return lhs;
      std::unordered_set<uint64_t> left;
      for (auto& s : lhs) {
        left.insert(signer.Sig(*s.metric));
        out.push_back(std::move(s));
      }
      for (auto& s : rhs) {
        if (!left.count(signer.Sig(*s.metric))) out.push_back(std::move(s));
      }
      return out;
    }
    case BinOp::kUnless: {
      if (lhs.empty() || rhs.empty()) return lhs;
      std::unordered_set<uint64_t> right;
      for (const auto& s : rhs) right.insert(signer.Sig(*s.metric));
      for (auto& s : lhs) {
        if (!right.count(signer.Sig(*s.metric))) out.push_back(std::move(s));
      }
      return out;
    }
    default:
      break;
  }
  return out;
}

// Result labels of a vector/vector arithmetic or comparison match: the "many" side, minus the
// name for arithmetic, narrowed for one-to-one, plus group_left/right's included labels.
Labels ResultLabels(const BinaryExpr& b, const VectorMatching& m, const Labels& l,
                    const Labels& r) {
  LabelsBuilder lb(l);
  if (ChangesMetricSchema(b.op)) lb.Del(kMetricName).Del("__type__").Del("__unit__");
  if (m.card == Cardinality::kOneToOne) {
    if (m.on) {
      Labels kept = l.Keep(m.labels);
      lb = LabelsBuilder(kept);
      if (ChangesMetricSchema(b.op)) lb.Del(kMetricName).Del("__type__").Del("__unit__");
    } else {
      for (const auto& n : m.labels) lb.Del(n);
    }
  }
  for (const auto& n : m.include) {
    std::string_view v = r.Get(n);
    lb.Set(n, v);
  }
  return lb.Build();
}

uint32_t FindPair(const BinaryCache& cache, LabelsPtr l, LabelsPtr r) {
  auto f = cache.out_by_pair.find(std::make_pair(l, r));
  return f == cache.out_by_pair.end() ? PtrIndex::kNone : f->second;
}

}  // namespace

EValue Evaluator::EvalBinary(const BinaryExpr& b, Timestamp ts) {
  EValue lhs = Eval(*b.lhs, ts);
  EValue rhs = Eval(*b.rhs, ts);
  EValue out;
  if (lhs.kind == ValueKind::kScalar && rhs.kind == ValueKind::kScalar) {
    out.kind = ValueKind::kScalar;
    out.scalar = ScalarBinop(b.op, lhs.scalar, rhs.scalar);
    return out;
  }
  out.kind = ValueKind::kVector;
  if (lhs.kind == ValueKind::kVector && rhs.kind == ValueKind::kVector) {
    VectorMatching m = b.matching ? *b.matching : VectorMatching{};
    if (IsSetOp(b.op)) {
      out.vec = SetOp(b.op, std::move(lhs.vec), std::move(rhs.vec), m);
      return out;
    }
    if (lhs.vec.empty() || rhs.vec.empty()) return out;
    if (m.card == Cardinality::kManyToMany) m.card = Cardinality::kOneToOne;
    EVector* left = &lhs.vec;
    EVector* right = &rhs.vec;
    bool swapped = m.card == Cardinality::kOneToMany;
    if (swapped) std::swap(left, right);
    Signer signer(m);
    BinaryCache& cache = binary_cache_[&b];
    const uint32_t visit = ++cache.visit;
    // Signatures and result label sets depend only on the input label sets, which are interned:
    // computed once per series for the whole range query, not once per step. Each signature
    // gets a dense group id, so matching one step is array lookups, not hash containers.
    auto group_of = [&](LabelsPtr l) -> uint32_t {
      uint32_t g = cache.group_index.Find(l);
      if (g != PtrIndex::kNone) return g;
      auto [it, inserted] = cache.group_of_sig.emplace(
          signer.Sig(*l), static_cast<uint32_t>(cache.group_of_sig.size()));
      g = it->second;
      if (inserted) {
        cache.one_visit.push_back(0);
        cache.one_sample.push_back(nullptr);
        cache.matched_visit.push_back(0);
      }
      cache.group_index.Insert(l, g);
      return g;
    };
    // The "one" side, by signature.
    for (const auto& rs : *right) {
      const uint32_t g = group_of(rs.metric);
      if (cache.one_visit[g] == visit) {
        const auto* first = static_cast<const ESample*>(cache.one_sample[g]);
        std::string d1 = FullString(*rs.metric), d2 = FullString(*first->metric);
        if (d1 > d2) std::swap(d1, d2);
        FailExec("found duplicate series for the match group " +
                 FullString(signer.MatchLabels(*rs.metric)) + " on the " +
                 (swapped ? "left" : "right") + " hand-side of the operation: [" + d1 + ", " +
                 d2 + "];many-to-many matching not allowed: matching labels must be unique on "
                 "one side");
      }
      cache.one_visit[g] = visit;
      cache.one_sample[g] = &rs;
    }
    auto result_labels = [&](const ESample& ls, const ESample& rs) -> const BinaryCache::Out& {
      const bool by_pair = !m.include.empty();
      uint32_t i =
          by_pair ? FindPair(cache, ls.metric, rs.metric) : cache.out_index.Find(ls.metric);
      if (i != PtrIndex::kNone) return cache.outs[i];
      Labels metric = ResultLabels(b, m, *ls.metric, *rs.metric);
      // Many-to-one matching tells results apart by label hash, as Prometheus does.
      const uint32_t rid =
          cache.result_id_of_hash
              .emplace(metric.Hash(), static_cast<uint32_t>(cache.result_id_of_hash.size()))
              .first->second;
      i = static_cast<uint32_t>(cache.outs.size());
      cache.outs.push_back({Intern(std::move(metric)), rid});
      if (by_pair) {
        cache.out_by_pair.emplace(std::make_pair(ls.metric, rs.metric), i);
      } else {
        cache.out_index.Insert(ls.metric, i);
      }
      return cache.outs[i];
    };
    out.vec.reserve(left->size());
    for (const auto& ls : *left) {
      const uint32_t g = group_of(ls.metric);
      if (cache.one_visit[g] != visit) continue;
      const ESample& rs = *static_cast<const ESample*>(cache.one_sample[g]);
      double fl = ls.v, fr = rs.v;
      if (swapped) std::swap(fl, fr);
      auto [value, keep] = ElemBinop(b.op, fl, fr);
      if (b.return_bool) {
        value = keep ? 1 : 0;
      }
      const BinaryCache::Out& res = result_labels(ls, rs);
      if (m.card == Cardinality::kOneToOne) {
        if (cache.matched_visit[g] == visit) {
          FailExec("multiple matches for labels: many-to-one matching must be explicit "
                   "(group_left/group_right)");
        }
        cache.matched_visit[g] = visit;
      } else {
        uint32_t& seen = cache.result_visit[(uint64_t{g} << 32) | res.result_id];
        if (seen == visit) {
          FailExec("multiple matches for labels: grouping labels must ensure unique matches");
        }
        seen = visit;
      }
      if (!keep && !b.return_bool) continue;
      out.vec.push_back({res.metric, value, ts, b.return_bool});
    }
    return out;
  }
  // Vector and scalar.
  bool swap = lhs.kind == ValueKind::kScalar;
  EVector vec = swap ? std::move(rhs.vec) : std::move(lhs.vec);
  double scalar = swap ? lhs.scalar : rhs.scalar;
  // In place: the kept samples move to the front of the operand's vector, in its order.
  size_t kept = 0;
  for (auto& s : vec) {
    double l = s.v, r = scalar;
    if (swap) std::swap(l, r);
    auto [value, keep] = ElemBinop(b.op, l, r);
    if (IsComparison(b.op) && swap) value = r;
    if (b.return_bool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    ESample& o = vec[kept++];
    o = s;
    o.v = value;
    o.t = ts;
    if (ChangesMetricSchema(b.op) || b.return_bool) o.drop_name = true;
  }
  vec.resize(kept);
  out.vec = std::move(vec);
  return out;
}

}  // namespace tidemark::query::eval
