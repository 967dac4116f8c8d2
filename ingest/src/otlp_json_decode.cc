// OTLP/JSON ExportMetricsServiceRequest decoder (protobuf JSON mapping: lowerCamelCase names,
// 64-bit integers as strings or numbers, enums as numbers or names). snake_case names are also
// accepted, as proto3 JSON parsers do.
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "otlp.h"

namespace tidemark::ingest {
namespace {

using nlohmann::json;

// Thrown inside this file only; DecodeOtlpJson converts it to a Status.
struct JsonError {
  std::string message;
};

[[noreturn]] void Fail(std::string msg) { throw JsonError{std::move(msg)}; }

// Rejects documents nested deeper than the limit before handing them to the DOM parser.
bool NestingWithin(std::string_view s, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

const json* Field(const json& obj, std::string_view camel, std::string_view snake) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(camel);
  if (it == obj.end() && !snake.empty()) it = obj.find(snake);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& Array(const json* v, std::string_view what) {
  static const json kEmpty = json::array();
  if (!v) return kEmpty;
  if (!v->is_array()) Fail(std::string(what) + " must be an array");
  return *v;
}

std::string String(const json* v, std::string_view what) {
  if (!v) return {};
  if (!v->is_string()) Fail(std::string(what) + " must be a string");
  return v->get<std::string>();
}

uint64_t Uint64(const json* v, std::string_view what) {
  if (!v) return 0;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_number_integer()) return static_cast<uint64_t>(v->get<int64_t>());
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d >= 0 && d < 1.8446744073709552e19 && d == std::floor(d)) return static_cast<uint64_t>(d);
  }
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(s.c_str(), &end, 10);
    if (!s.empty() && s[0] != '-' && end == s.c_str() + s.size() && errno == 0) return n;
  }
  Fail(std::string(what) + " must be an unsigned integer (number or decimal string)");
}

int64_t Int64(const json* v, std::string_view what) {
  if (!v) return 0;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::fabs(d) < 9.2e18 && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size() && errno == 0) return n;
  }
  Fail(std::string(what) + " must be an integer (number or decimal string)");
}

double Double(const json* v, std::string_view what) {
  if (!v) return 0;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  Fail(std::string(what) + " must be a number");
}

bool Bool(const json* v) { return v && v->is_boolean() && v->get<bool>(); }

// Enum as a number or its proto name.
int Temporality(const json* v) {
  if (!v) return 0;
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    if (s == "AGGREGATION_TEMPORALITY_DELTA") return 1;
    if (s == "AGGREGATION_TEMPORALITY_CUMULATIVE") return 2;
    if (s == "AGGREGATION_TEMPORALITY_UNSPECIFIED") return 0;
  }
  int64_t n = Int64(v, "aggregationTemporality");
  return n >= 0 && n <= 2 ? static_cast<int>(n) : 0;
}

// AnyValue (JSON form) → the JSON value Prometheus renders non-string attributes as.
json AnyValue(const json& v, int depth) {
  if (depth > kOtlpMaxDepth) Fail("attribute value nested too deeply");
  if (!v.is_object()) Fail("attribute value must be an object");
  if (const json* s = Field(v, "stringValue", "string_value")) return String(s, "stringValue");
  if (const json* b = Field(v, "boolValue", "bool_value")) return Bool(b);
  if (const json* i = Field(v, "intValue", "int_value")) return Int64(i, "intValue");
  if (const json* d = Field(v, "doubleValue", "double_value")) return Double(d, "doubleValue");
  if (const json* b = Field(v, "bytesValue", "bytes_value")) return String(b, "bytesValue");
  if (const json* a = Field(v, "arrayValue", "array_value")) {
    json out = json::array();
    for (const json& e : Array(Field(*a, "values", ""), "arrayValue.values")) out.push_back(AnyValue(e, depth + 1));
    return out;
  }
  if (const json* kv = Field(v, "kvlistValue", "kvlist_value")) {
    json out = json::object();
    for (const json& e : Array(Field(*kv, "values", ""), "kvlistValue.values")) {
      const json* val = Field(e, "value", "");
      out[String(Field(e, "key", ""), "key")] = val ? AnyValue(*val, depth + 1) : json(nullptr);
    }
    return out;
  }
  return nullptr;
}

std::string Render(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
  if (j.is_number_float()) return FormatFloat(j.get<double>(), 'f', -1);
  if (j.is_null()) return {};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<OtlpAttribute> Attributes(const json* v) {
  std::vector<OtlpAttribute> out;
  for (const json& kv : Array(v, "attributes")) {
    OtlpAttribute a;
    a.key = String(Field(kv, "key", ""), "attribute key");
    if (const json* val = Field(kv, "value", "")) a.value = Render(AnyValue(*val, 0));
    out.push_back(std::move(a));
  }
  return out;
}

uint32_t Flags(const json& p) { return static_cast<uint32_t>(Uint64(Field(p, "flags", ""), "flags")); }

void Times(const json& p, uint64_t* start, uint64_t* time) {
  *start = Uint64(Field(p, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano");
  *time = Uint64(Field(p, "timeUnixNano", "time_unix_nano"), "timeUnixNano");
}

void NumberPoints(const json& body, OtlpMetric* m) {
  for (const json& p : Array(Field(body, "dataPoints", "data_points"), "dataPoints")) {
    OtlpNumberPoint& np = m->numbers.emplace_back();
    np.attributes = Attributes(Field(p, "attributes", ""));
    Times(p, &np.start_time_ns, &np.time_ns);
    if (const json* d = Field(p, "asDouble", "as_double")) np.value = Double(d, "asDouble");
    else if (const json* i = Field(p, "asInt", "as_int")) np.value = static_cast<double>(Int64(i, "asInt"));
    np.flags = Flags(p);
  }
}

void HistogramPoints(const json& body, OtlpMetric* m) {
  for (const json& p : Array(Field(body, "dataPoints", "data_points"), "dataPoints")) {
    OtlpHistogramPoint& hp = m->histograms.emplace_back();
    hp.attributes = Attributes(Field(p, "attributes", ""));
    Times(p, &hp.start_time_ns, &hp.time_ns);
    hp.count = Uint64(Field(p, "count", ""), "count");
    if (const json* s = Field(p, "sum", "")) {
      hp.has_sum = true;
      hp.sum = Double(s, "sum");
    }
    for (const json& c : Array(Field(p, "bucketCounts", "bucket_counts"), "bucketCounts")) {
      hp.bucket_counts.push_back(Uint64(&c, "bucketCounts"));
    }
    for (const json& b : Array(Field(p, "explicitBounds", "explicit_bounds"), "explicitBounds")) {
      hp.explicit_bounds.push_back(Double(&b, "explicitBounds"));
    }
    hp.flags = Flags(p);
  }
}

void SummaryPoints(const json& body, OtlpMetric* m) {
  for (const json& p : Array(Field(body, "dataPoints", "data_points"), "dataPoints")) {
    OtlpSummaryPoint& sp = m->summaries.emplace_back();
    sp.attributes = Attributes(Field(p, "attributes", ""));
    Times(p, &sp.start_time_ns, &sp.time_ns);
    sp.count = Uint64(Field(p, "count", ""), "count");
    sp.sum = Double(Field(p, "sum", ""), "sum");
    for (const json& q : Array(Field(p, "quantileValues", "quantile_values"), "quantileValues")) {
      sp.quantiles.push_back({Double(Field(q, "quantile", ""), "quantile"), Double(Field(q, "value", ""), "value")});
    }
    sp.flags = Flags(p);
  }
}

OtlpMetric Metric(const json& j) {
  if (!j.is_object()) Fail("metric must be an object");
  OtlpMetric m;
  m.name = String(Field(j, "name", ""), "name");
  m.description = String(Field(j, "description", ""), "description");
  m.unit = String(Field(j, "unit", ""), "unit");
  if (const json* g = Field(j, "gauge", "")) {
    m.kind = OtlpMetricKind::kGauge;
    NumberPoints(*g, &m);
  } else if (const json* s = Field(j, "sum", "")) {
    m.kind = OtlpMetricKind::kSum;
    m.temporality = static_cast<OtlpTemporality>(Temporality(Field(*s, "aggregationTemporality", "aggregation_temporality")));
    m.monotonic = Bool(Field(*s, "isMonotonic", "is_monotonic"));
    NumberPoints(*s, &m);
  } else if (const json* h = Field(j, "histogram", "")) {
    m.kind = OtlpMetricKind::kHistogram;
    m.temporality = static_cast<OtlpTemporality>(Temporality(Field(*h, "aggregationTemporality", "aggregation_temporality")));
    HistogramPoints(*h, &m);
  } else if (const json* e = Field(j, "exponentialHistogram", "exponential_histogram")) {
    m.kind = OtlpMetricKind::kExponentialHistogram;
    m.exponential_points = Array(Field(*e, "dataPoints", "data_points"), "dataPoints").size();
  } else if (const json* su = Field(j, "summary", "")) {
    m.kind = OtlpMetricKind::kSummary;
    SummaryPoints(*su, &m);
  }
  return m;
}

}  // namespace

Status DecodeOtlpJson(std::string_view body, size_t max_points, OtlpRequest* out) {
  if (!NestingWithin(body, kOtlpMaxDepth + 16)) {
    return Status::InvalidArgument("JSON nested too deeply");
  }
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("malformed JSON");
  if (!doc.is_object()) return Status::InvalidArgument("request must be a JSON object");
  try {
    for (const json& rmj : Array(Field(doc, "resourceMetrics", "resource_metrics"), "resourceMetrics")) {
      OtlpResourceMetrics& rm = out->resources.emplace_back();
      if (const json* res = Field(rmj, "resource", "")) rm.resource_attributes = Attributes(Field(*res, "attributes", ""));
      for (const json& smj : Array(Field(rmj, "scopeMetrics", "scope_metrics"), "scopeMetrics")) {
        OtlpScopeMetrics& sm = rm.scopes.emplace_back();
        if (const json* sc = Field(smj, "scope", "")) {
          sm.scope_name = String(Field(*sc, "name", ""), "scope.name");
          sm.scope_version = String(Field(*sc, "version", ""), "scope.version");
        }
        for (const json& mj : Array(Field(smj, "metrics", ""), "metrics")) sm.metrics.push_back(Metric(mj));
      }
    }
    size_t points = 0;
    for (const OtlpResourceMetrics& rm : out->resources) {
      for (const OtlpScopeMetrics& sm : rm.scopes) {
        for (const OtlpMetric& m : sm.metrics) {
          points += m.numbers.size() + m.histograms.size() + m.summaries.size() + m.exponential_points;
        }
      }
    }
    if (points > max_points) {
      return Status::ResourceExhausted("request has more than " + std::to_string(max_points) + " data points");
    }
  } catch (const JsonError& e) {
    return Status::InvalidArgument("invalid OTLP JSON: " + e.message);
  } catch (const std::exception& e) {  // nlohmann type errors on unexpected shapes
    return Status::InvalidArgument(std::string("invalid OTLP JSON: ") + e.what());
  }
  return Status::OK();
}

}  // namespace tidemark::ingest
