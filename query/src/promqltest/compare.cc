// Compares query results with a script's expectations, as the upstream runner does.
#include "promqltest/compare.h"

#include <re2/re2.h>

#include <cmath>
#include <limits>

namespace tidemark::query::script {
namespace {

constexpr double kEpsilon = 1e-6;
constexpr double kMinNormal = 2.2250738585072014e-308;

std::string PointsString(const std::vector<Point>& pts) {
  std::string out = "[";
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i > 0) out += " ";
    out += FormatFloat(pts[i].v, 'g', 17) + " @[" + std::to_string(pts[i].t) + "]";
  }
  return out + "]";
}

const SeriesLine* FindExpected(const EvalCmd& ev, const Labels& l, size_t* pos) {
  for (size_t i = 0; i < ev.expected.size(); ++i) {
    if (ev.expected[i].labels == l) {
      *pos = i;
      return &ev.expected[i];
    }
  }
  return nullptr;
}

}  // namespace

bool AlmostEqual(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < kEpsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < kEpsilon;
}

bool PatternMatches(const AnnoPattern& p, const std::string& text) {
  if (!p.msg.empty()) return p.msg == text;
  if (!p.regex.empty()) {
    re2::RE2 re(p.regex, re2::RE2::Quiet);
    return re.ok() && re2::RE2::PartialMatch(text, re);
  }
  return true;
}

std::string CheckFailure(const EvalCmd& ev, const std::string& actual) {
  if (ev.fail_pattern && !PatternMatches(*ev.fail_pattern, actual)) {
    const auto& p = *ev.fail_pattern;
    return "expected error " + (p.msg.empty() ? "matching \"" + p.regex + "\"" : "\"" + p.msg + "\"") +
           ", but got: " + actual;
  }
  return "";
}

namespace {
std::string CheckAnnoType(const std::vector<AnnoPattern>& patterns,
                          const std::vector<std::string>& actual, const char* type) {
  if (patterns.empty()) return "";
  if (actual.empty()) return std::string("expected ") + type + " annotations but none were found";
  for (const auto& p : patterns) {
    bool found = false;
    for (const auto& a : actual) found = found || PatternMatches(p, a);
    if (!found) {
      std::string all;
      for (const auto& a : actual) all += "[" + a + "] ";
      return std::string("expected ") + type + " annotation matching \"" + p.msg + p.regex +
             "\" but none matched; found: " + all;
    }
  }
  for (const auto& a : actual) {
    bool found = false;
    for (const auto& p : patterns) found = found || PatternMatches(p, a);
    if (!found) return std::string("unexpected ") + type + " annotation \"" + a + "\"";
  }
  return "";
}
}  // namespace

std::string CheckAnnotations(const EvalCmd& ev, const QueryValue& v) {
  if (ev.warn && v.warnings.empty()) return "expected warnings but got none";
  if (ev.info && v.infos.empty()) return "expected info annotations but got none";
  std::string e = CheckAnnoType(ev.warn_patterns, v.warnings, "warn");
  if (!e.empty()) return e;
  e = CheckAnnoType(ev.info_patterns, v.infos, "info");
  if (!e.empty()) return e;
  if (ev.no_warn && !v.warnings.empty()) return "unexpected warning annotations: " + v.warnings[0];
  if (ev.no_info && !v.infos.empty()) return "unexpected info annotations: " + v.infos[0];
  return "";
}

std::string CompareResult(const EvalCmd& ev, const QueryValue& v) {
  switch (v.kind) {
    case ValueKind::kMatrix: {
      if (ev.ordered) return "expected ordered result, but query returned a matrix";
      if (ev.expect_scalar) return "expected scalar result, but got a matrix";
      for (size_t i = 1; i < v.matrix.size(); ++i) {
        if (v.matrix[i].metric < v.matrix[i - 1].metric) {
          return "matrix results should always be sorted by labels, but " +
                 v.matrix[i].metric.ToString() + " sorts before " +
                 v.matrix[i - 1].metric.ToString();
        }
      }
      std::vector<bool> seen(ev.expected.size());
      for (const auto& s : v.matrix) {
        size_t pos;
        const SeriesLine* exp = FindExpected(ev, s.metric, &pos);
        if (exp == nullptr) {
          return "unexpected metric " + s.metric.ToString() + " in result, has " +
                 PointsString(s.points);
        }
        seen[pos] = true;
        std::vector<Point> want;
        for (size_t i = 0; i < exp->values.size(); ++i) {
          Timestamp t = ev.start + static_cast<Timestamp>(i) * ev.step;
          if (t > ev.end) {
            return "expected " + std::to_string(exp->values.size()) + " points for " +
                   s.metric.ToString() + ", but query time range cannot return this many points";
          }
          if (exp->values[i]) want.push_back({t, *exp->values[i]});
        }
        if (want.size() != s.points.size()) {
          return "expected " + std::to_string(want.size()) + " float points for " +
                 s.metric.ToString() + " " + PointsString(want) + ", but got " +
                 PointsString(s.points);
        }
        for (size_t i = 0; i < want.size(); ++i) {
          if (want[i].t != s.points[i].t || !AlmostEqual(want[i].v, s.points[i].v)) {
            return "for " + s.metric.ToString() + " expected " + PointsString(want) +
                   " but got " + PointsString(s.points);
          }
        }
      }
      for (size_t i = 0; i < seen.size(); ++i) {
        if (!seen[i]) return "expected metric " + ev.expected[i].labels.ToString() + " not found";
      }
      return "";
    }
    case ValueKind::kVector: {
      if (ev.expect_scalar) return "expected scalar result, but got a vector";
      std::vector<bool> seen(ev.expected.size());
      for (size_t k = 0; k < v.vector.size(); ++k) {
        const auto& s = v.vector[k];
        size_t pos;
        const SeriesLine* exp = FindExpected(ev, s.metric, &pos);
        if (exp == nullptr) {
          return "unexpected metric " + s.metric.ToString() + " in result, has value " + FormatFloat(s.v, 'g', 17);
        }
        if (ev.ordered && pos != k) {
          return "expected metric " + s.metric.ToString() + " at position " +
                 std::to_string(pos + 1) + " but was at " + std::to_string(k + 1);
        }
        if (exp->values.empty() || !exp->values[0]) {
          return "expected no value for " + s.metric.ToString();
        }
        if (!AlmostEqual(*exp->values[0], s.v)) {
          return "expected " + FormatFloat(*exp->values[0], 'g', 17) + " for " + s.metric.ToString() +
                 " but got " + FormatFloat(s.v, 'g', 17);
        }
        seen[pos] = true;
      }
      for (size_t i = 0; i < seen.size(); ++i) {
        if (!seen[i]) return "expected metric " + ev.expected[i].labels.ToString() + " not found";
      }
      return "";
    }
    case ValueKind::kScalar:
      if (!ev.expect_scalar) return "expected vector or matrix result, but got scalar " + FormatFloat(v.scalar, 'g', 17);
      if (!AlmostEqual(ev.scalar, v.scalar)) {
        return "expected scalar " + FormatFloat(ev.scalar, 'g', 17) + " but got " + FormatFloat(v.scalar, 'g', 17);
      }
      return "";
    case ValueKind::kString: {
      std::string want = ev.expected_string.value_or("");
      if (want != v.str) return "expected string \"" + want + "\" but got \"" + v.str + "\"";
      return "";
    }
    case ValueKind::kNone:
      break;
  }
  return "query returned no value";
}

}  // namespace tidemark::query::script
