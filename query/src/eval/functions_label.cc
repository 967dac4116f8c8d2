// Label-manipulating and ordering functions: label_replace, label_join, sort, sort_desc,
// sort_by_label(_desc), and the label set absent()/absent_over_time() report.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>

#include "eval/evaluator.h"
#include "eval/functions_label.h"
#include "tidemark/storage/model/regexp_expand.h"

namespace tidemark::query::eval {
namespace {

bool ValidLabelName(const std::string& n) { return !n.empty() && IsValidUtf8(n); }

// Natural ordering: digit runs compare numerically.
bool NatLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string_view na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      size_t za = na.find_first_not_of('0'), zb = nb.find_first_not_of('0');
      na = za == std::string_view::npos ? "" : na.substr(za);
      nb = zb == std::string_view::npos ? "" : nb.substr(zb);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

void LabelReplace(Evaluator& ev, EVector& vec, const std::string& dst, const std::string& repl,
                  const std::string& src, const std::string& regex) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  re2::RE2 re("^(?s:" + regex + ")$", opts);
  if (!re.ok()) FailExec("invalid regular expression in label_replace(): " + regex);
  if (!ValidLabelName(dst)) FailExec("invalid destination label name in label_replace(): " + dst);
  int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(ngroups);
  std::vector<std::string_view> groups(ngroups);
  for (auto& s : vec) {
    std::string src_val(s.metric->Get(src));
    if (!re.Match(src_val, 0, src_val.size(), re2::RE2::ANCHOR_BOTH, pieces.data(), ngroups)) {
      continue;
    }
    for (int i = 0; i < ngroups; ++i) groups[i] = std::string_view(pieces[i].data(), pieces[i].size());
    std::string res;
    AppendRegexpExpand(res, repl, groups, re.NamedCapturingGroups());
    s.metric = ev.Intern(s.metric->With(dst, res));
    if (dst == kMetricName) s.drop_name = false;
  }
}

void LabelJoin(Evaluator& ev, EVector& vec, const std::string& dst, const std::string& sep,
               const std::vector<std::string>& srcs) {
  for (const auto& s : srcs) {
    if (!ValidLabelName(s)) FailExec("invalid source label name in label_join(): " + s);
  }
  if (!ValidLabelName(dst)) FailExec("invalid destination label name in label_join(): " + dst);
  for (auto& s : vec) {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined += sep;
      joined += s.metric->Get(srcs[i]);
    }
    s.metric = ev.Intern(s.metric->With(dst, joined));
    if (dst == kMetricName) s.drop_name = false;
  }
}

void SortByValue(EVector& vec, bool desc) {
  if (desc) {
    std::stable_sort(vec.begin(), vec.end(), [](const ESample& a, const ESample& b) {
      return std::isnan(a.v) ? false : (std::isnan(b.v) || b.v < a.v);
    });
  } else {
    std::stable_sort(vec.begin(), vec.end(), [](const ESample& a, const ESample& b) {
      return std::isnan(a.v) ? false : (std::isnan(b.v) || a.v < b.v);
    });
  }
}

void SortByLabels(EVector& vec, const std::vector<std::string>& names, bool desc) {
  std::stable_sort(vec.begin(), vec.end(), [&](const ESample& a, const ESample& b) {
    for (const auto& n : names) {
      std::string_view va = a.metric->Get(n), vb = b.metric->Get(n);
      if (va == vb) continue;
      return desc ? NatLess(vb, va) : NatLess(va, vb);
    }
    return desc ? *b.metric < *a.metric : *a.metric < *b.metric;
  });
}

Labels AbsentLabels(const Expr& arg) {
  const Expr& e = Unwrap(arg);
  const VectorSelector* vs = nullptr;
  if (e.kind == NodeKind::kVectorSelector) vs = static_cast<const VectorSelector*>(&e);
  if (e.kind == NodeKind::kMatrixSelector) vs = static_cast<const MatrixSelector&>(e).vs.get();
  if (vs == nullptr) return Labels();
  LabelsBuilder b;
  std::vector<std::string> has;
  for (const auto& m : vs->matchers) {
    if (m.name() == kMetricName) continue;
    bool seen = std::find(has.begin(), has.end(), m.name()) != has.end();
    if (m.type() == MatchType::kEqual && !seen) {
      b.Set(m.name(), m.value());
      has.push_back(m.name());
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

}  // namespace tidemark::query::eval
