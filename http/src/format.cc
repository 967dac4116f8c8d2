// Prometheus-compatible JSON rendering.
#include "tidemark/http/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <vector>

namespace tidemark::http {

namespace {

// Writes ms as seconds with up to three decimals; `p` has room for 32 characters.
char* WriteTimestamp(char* p, Timestamp ms) {
  uint64_t u;
  if (ms < 0) {
    *p++ = '-';
    u = static_cast<uint64_t>(-(ms + 1)) + 1;
  } else {
    u = static_cast<uint64_t>(ms);
  }
  p = std::to_chars(p, p + 24, u / 1000).ptr;
  const auto frac = static_cast<unsigned>(u % 1000);
  if (frac != 0) {
    p[0] = '.';
    p[1] = static_cast<char>('0' + frac / 100);
    p[2] = static_cast<char>('0' + frac / 10 % 10);
    p[3] = static_cast<char>('0' + frac % 10);
    p += 4;
  }
  return p;
}

void AppendTimestamp(std::string& out, Timestamp ms) {
  char buf[32];
  out.append(buf, WriteTimestamp(buf, ms));
}

// Prometheus' jsonutil.MarshalFloat: fixed notation, but exponent notation for magnitudes
// below 1e-6 or from 1e21 on.
void AppendSampleValue(std::string& out, double v) {
  double a = std::fabs(v);
  AppendFloat(out, v, a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f', -1);
}

}  // namespace

std::string FormatSampleValue(double v) {
  std::string out;
  AppendSampleValue(out, v);
  return out;
}

std::string FormatTimestamp(Timestamp ms) {
  std::string out;
  AppendTimestamp(out, ms);
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      // Go's encoding/json escapes these for HTML safety; Prometheus inherits that.
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendLabelsJson(std::string& out, const Labels& labels) {
  out += '{';
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, l.name);
    out += ':';
    AppendJsonString(out, l.value);
  }
  out += '}';
}

namespace {

// [ts,"v"] after `ts`, the timestamp's text: the usual value (finite, in fixed notation, where
// AppendFloat's form is to_chars' shortest fixed one) is written with the rest of the point into
// one buffer, since appending each piece cost as much as formatting it.
void AppendPoint(std::string& out, std::string_view ts, double v) {
  const double a = std::fabs(v);
  char buf[128];
  char* p = buf;
  *p++ = '[';
  p = std::copy(ts.begin(), ts.end(), p);
  *p++ = ',';
  *p++ = '"';
  if (a < 1e15 && (a == 0 || a >= 1e-6)) {
    const auto res = std::to_chars(p, buf + sizeof buf - 2, v, std::chars_format::fixed);
    if (res.ec == std::errc()) {
      p = res.ptr;
      *p++ = '"';
      *p++ = ']';
      out.append(buf, p);
      return;
    }
  }
  out.append(buf, p);
  AppendSampleValue(out, v);
  out += "\"]";
}

// A range answer's series share their steps: each step's timestamp is formatted once.
class StepTexts {
 public:
  std::string_view For(size_t j, Timestamp t) {
    if (j >= steps_.size()) steps_.resize(j + 1);
    Step& s = steps_[j];
    if (s.len == 0 || s.t != t) {
      s.t = t;
      s.len = static_cast<uint8_t>(WriteTimestamp(s.text, t) - s.text);
    }
    return std::string_view(s.text, s.len);
  }

 private:
  struct Step {
    Timestamp t = 0;
    uint8_t len = 0;
    char text[31];
  };
  std::vector<Step> steps_;
};

}  // namespace

void AppendPointJson(std::string& out, Timestamp t, double v) {
  char ts[32];
  AppendPoint(out, std::string_view(ts, static_cast<size_t>(WriteTimestamp(ts, t) - ts)), v);
}

std::string QueryDataJson(const query::QueryValue& value) {
  std::string out;
  using query::ValueKind;
  switch (value.kind) {
    case ValueKind::kScalar:
      out += "{\"resultType\":\"scalar\",\"result\":";
      AppendPointJson(out, value.t, value.scalar);
      out += '}';
      break;
    case ValueKind::kString:
      out += "{\"resultType\":\"string\",\"result\":[";
      AppendTimestamp(out, value.t);
      out += ',';
      AppendJsonString(out, value.str);
      out += "]}";
      break;
    case ValueKind::kMatrix: {
      size_t points = 0;
      for (const auto& s : value.matrix) points += s.points.size();
      // ~40 bytes per [ts,"value"] point; one allocation instead of repeated doubling copies.
      out.reserve(64 + value.matrix.size() * 256 + points * 44);
      out += "{\"resultType\":\"matrix\",\"result\":[";
      StepTexts steps;
      for (size_t i = 0; i < value.matrix.size(); ++i) {
        const auto& s = value.matrix[i];
        if (i) out += ',';
        out += "{\"metric\":";
        AppendLabelsJson(out, s.metric);
        out += ",\"values\":[";
        for (size_t j = 0; j < s.points.size(); ++j) {
          if (j) out += ',';
          AppendPoint(out, steps.For(j, s.points[j].t), s.points[j].v);
        }
        out += "]}";
      }
      out += "]}";
      break;
    }
    case ValueKind::kVector:
    case ValueKind::kNone:
    default:
      out += "{\"resultType\":\"vector\",\"result\":[";
      for (size_t i = 0; i < value.vector.size(); ++i) {
        const auto& s = value.vector[i];
        if (i) out += ',';
        out += "{\"metric\":";
        AppendLabelsJson(out, s.metric);
        out += ",\"value\":";
        AppendPointJson(out, s.t, s.v);
        out += '}';
      }
      out += "]}";
      break;
  }
  return out;
}

std::string SuccessJson(std::string_view data_json, const std::vector<std::string>& warnings) {
  std::string out;
  size_t extra = 64;
  for (const auto& w : warnings) extra += w.size() + 8;
  out.reserve(data_json.size() + extra);
  out += "{\"status\":\"success\",\"data\":";
  out += data_json;
  if (!warnings.empty()) {
    out += ",\"warnings\":[";
    for (size_t i = 0; i < warnings.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, warnings[i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::string ErrorJson(std::string_view error_type, std::string_view message) {
  std::string out = "{\"status\":\"error\",\"errorType\":";
  AppendJsonString(out, error_type);
  out += ",\"error\":";
  AppendJsonString(out, message);
  out += '}';
  return out;
}

}  // namespace tidemark::http
