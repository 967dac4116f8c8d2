// OTLP ExportMetricsServiceRequest protobuf decoder. Field numbers are from opentelemetry-proto
// (collector/metrics/v1, metrics/v1, common/v1, resource/v1).
#include <nlohmann/json.hpp>

#include "otlp.h"
#include "protowire.h"

namespace tidemark::ingest {
namespace {

using nlohmann::json;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// AnyValue → JSON value (for arrays/kvlists rendered as JSON text). Depth-limited.
bool AnyValueToJson(std::string_view msg, int depth, json* out);

bool KeyValueListToJson(std::string_view msg, int depth, json* out) {
  *out = json::object();
  ProtoReader r(msg);
  while (r.Next()) {
    if (r.field() != 1) {
      r.Skip();
      continue;
    }
    std::string_view kv;
    if (!r.Bytes(&kv)) break;
    ProtoReader k(kv);
    std::string_view key;
    json value;
    while (k.Next()) {
      std::string_view m;
      if (k.field() == 1) {
        k.Bytes(&key);
      } else if (k.field() == 2) {
        if (k.Bytes(&m) && !AnyValueToJson(m, depth + 1, &value)) return false;
      } else {
        k.Skip();
      }
    }
    if (k.error()) return false;
    (*out)[std::string(key)] = std::move(value);
  }
  return !r.error();
}

bool AnyValueToJson(std::string_view msg, int depth, json* out) {
  if (depth > kOtlpMaxDepth) return false;
  *out = nullptr;
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    double d;
    switch (r.field()) {
      case 1: if (r.Bytes(&s)) *out = std::string(s); break;
      case 2: if (r.Varint(&u)) *out = u != 0; break;
      case 3: if (r.Varint(&u)) *out = static_cast<int64_t>(u); break;
      case 4: if (r.Double(&d)) *out = d; break;
      case 5: {
        if (!r.Bytes(&s)) break;
        *out = json::array();
        ProtoReader a(s);
        while (a.Next()) {
          std::string_view m;
          if (a.field() != 1) {
            a.Skip();
            continue;
          }
          json v;
          if (a.Bytes(&m) && !AnyValueToJson(m, depth + 1, &v)) return false;
          out->push_back(std::move(v));
        }
        if (a.error()) return false;
        break;
      }
      case 6: if (r.Bytes(&s) && !KeyValueListToJson(s, depth + 1, out)) return false; break;
      case 7: if (r.Bytes(&s)) *out = Base64(s); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

// AnyValue rendered as an attribute/label value string.
bool AnyValueToString(std::string_view msg, std::string* out) {
  ProtoReader r(msg);
  out->clear();
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    double d;
    switch (r.field()) {
      case 1: if (r.Bytes(&s)) out->assign(s); break;
      case 2: if (r.Varint(&u)) *out = u != 0 ? "true" : "false"; break;
      case 3: if (r.Varint(&u)) *out = std::to_string(static_cast<int64_t>(u)); break;
      case 4: if (r.Double(&d)) *out = FormatFloat(d, 'f', -1); break;
      case 5:
      case 6:
      case 7: {
        json j;
        if (!AnyValueToJson(msg, 0, &j)) return false;
        *out = j.is_string() ? j.get<std::string>() : j.dump(-1, ' ', false, json::error_handler_t::replace);
        return true;
      }
      default: r.Skip();
    }
  }
  return !r.error();
}

bool DecodeKeyValue(std::string_view msg, std::vector<OtlpAttribute>* attrs) {
  ProtoReader r(msg);
  OtlpAttribute a;
  while (r.Next()) {
    std::string_view s;
    if (r.field() == 1) {
      if (r.Bytes(&s)) a.key.assign(s);
    } else if (r.field() == 2) {
      if (r.Bytes(&s) && !AnyValueToString(s, &a.value)) return false;
    } else {
      r.Skip();
    }
  }
  if (r.error()) return false;
  attrs->push_back(std::move(a));
  return true;
}

bool DecodeNumberPoint(std::string_view msg, OtlpNumberPoint* p) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    switch (r.field()) {
      case 7: if (r.Bytes(&s) && !DecodeKeyValue(s, &p->attributes)) return false; break;
      case 2: r.Fixed64(&p->start_time_ns); break;
      case 3: r.Fixed64(&p->time_ns); break;
      case 4: r.Double(&p->value); break;
      case 6: if (r.Fixed64(&u)) p->value = static_cast<double>(static_cast<int64_t>(u)); break;
      case 8: if (r.Varint(&u)) p->flags = static_cast<uint32_t>(u); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

bool DecodeHistogramPoint(std::string_view msg, OtlpHistogramPoint* p) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    switch (r.field()) {
      case 9: if (r.Bytes(&s) && !DecodeKeyValue(s, &p->attributes)) return false; break;
      case 2: r.Fixed64(&p->start_time_ns); break;
      case 3: r.Fixed64(&p->time_ns); break;
      case 4: r.Fixed64(&p->count); break;
      case 5: if (r.Double(&p->sum)) p->has_sum = true; break;
      case 6: ForEachFixed64(r, [&](uint64_t v) { p->bucket_counts.push_back(v); }); break;
      case 7:
        ForEachFixed64(r, [&](uint64_t v) { p->explicit_bounds.push_back(std::bit_cast<double>(v)); });
        break;
      case 10: if (r.Varint(&u)) p->flags = static_cast<uint32_t>(u); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

bool DecodeSummaryPoint(std::string_view msg, OtlpSummaryPoint* p) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    switch (r.field()) {
      case 7: if (r.Bytes(&s) && !DecodeKeyValue(s, &p->attributes)) return false; break;
      case 2: r.Fixed64(&p->start_time_ns); break;
      case 3: r.Fixed64(&p->time_ns); break;
      case 4: r.Fixed64(&p->count); break;
      case 5: r.Double(&p->sum); break;
      case 6: {
        if (!r.Bytes(&s)) break;
        OtlpQuantile q;
        ProtoReader qr(s);
        while (qr.Next()) {
          if (qr.field() == 1) qr.Double(&q.quantile);
          else if (qr.field() == 2) qr.Double(&q.value);
          else qr.Skip();
        }
        if (qr.error()) return false;
        p->quantiles.push_back(q);
        break;
      }
      case 8: if (r.Varint(&u)) p->flags = static_cast<uint32_t>(u); break;
      default: r.Skip();
    }
  }
  return !r.error();
}

// Gauge/Sum/Histogram/ExponentialHistogram/Summary body: data_points = 1, temporality = 2,
// is_monotonic = 3 (Sum only).
// `budget` counts down the data points still allowed; *exhausted is set when it runs out.
struct PointBudget {
  size_t remaining;
  bool exhausted = false;
};

bool DecodeMetricData(std::string_view msg, PointBudget* budget, OtlpMetric* m) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    uint64_t u;
    switch (r.field()) {
      case 1:
        if (!r.Bytes(&s)) break;
        if (budget->remaining == 0) {
          budget->exhausted = true;
          return false;
        }
        --budget->remaining;
        switch (m->kind) {
          case OtlpMetricKind::kGauge:
          case OtlpMetricKind::kSum:
            if (!DecodeNumberPoint(s, &m->numbers.emplace_back())) return false;
            break;
          case OtlpMetricKind::kHistogram:
            if (!DecodeHistogramPoint(s, &m->histograms.emplace_back())) return false;
            break;
          case OtlpMetricKind::kSummary:
            if (!DecodeSummaryPoint(s, &m->summaries.emplace_back())) return false;
            break;
          case OtlpMetricKind::kExponentialHistogram: ++m->exponential_points; break;
          case OtlpMetricKind::kNone: break;
        }
        break;
      case 2: if (r.Varint(&u)) m->temporality = static_cast<OtlpTemporality>(u <= 2 ? u : 0); break;
      case 3: if (r.Varint(&u)) m->monotonic = u != 0; break;
      default: r.Skip();
    }
  }
  return !r.error();
}

bool DecodeMetric(std::string_view msg, PointBudget* budget, OtlpMetric* m) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    OtlpMetricKind kind = OtlpMetricKind::kNone;
    switch (r.field()) {
      case 1: if (r.Bytes(&s)) m->name.assign(s); continue;
      case 2: if (r.Bytes(&s)) m->description.assign(s); continue;
      case 3: if (r.Bytes(&s)) m->unit.assign(s); continue;
      case 5: kind = OtlpMetricKind::kGauge; break;
      case 7: kind = OtlpMetricKind::kSum; break;
      case 9: kind = OtlpMetricKind::kHistogram; break;
      case 10: kind = OtlpMetricKind::kExponentialHistogram; break;
      case 11: kind = OtlpMetricKind::kSummary; break;
      default: r.Skip(); continue;
    }
    if (!r.Bytes(&s)) break;
    if (m->kind != OtlpMetricKind::kNone && m->kind != kind) return false;  // oneof set twice
    m->kind = kind;
    if (!DecodeMetricData(s, budget, m)) return false;
  }
  return !r.error();
}

bool DecodeScope(std::string_view msg, PointBudget* budget, OtlpScopeMetrics* sm) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    if (r.field() == 1) {  // InstrumentationScope
      if (!r.Bytes(&s)) break;
      ProtoReader sr(s);
      while (sr.Next()) {
        std::string_view v;
        if (sr.field() == 1 && sr.Bytes(&v)) sm->scope_name.assign(v);
        else if (sr.field() == 2 && sr.Bytes(&v)) sm->scope_version.assign(v);
        else if (sr.field() > 2) sr.Skip();
      }
      if (sr.error()) return false;
    } else if (r.field() == 2) {
      if (r.Bytes(&s) && !DecodeMetric(s, budget, &sm->metrics.emplace_back())) return false;
    } else {
      r.Skip();
    }
  }
  return !r.error();
}

bool DecodeResourceMetrics(std::string_view msg, PointBudget* budget, OtlpResourceMetrics* rm) {
  ProtoReader r(msg);
  while (r.Next()) {
    std::string_view s;
    if (r.field() == 1) {  // Resource
      if (!r.Bytes(&s)) break;
      ProtoReader rr(s);
      while (rr.Next()) {
        std::string_view kv;
        if (rr.field() == 1) {
          if (rr.Bytes(&kv) && !DecodeKeyValue(kv, &rm->resource_attributes)) return false;
        } else {
          rr.Skip();
        }
      }
      if (rr.error()) return false;
    } else if (r.field() == 2) {
      if (r.Bytes(&s) && !DecodeScope(s, budget, &rm->scopes.emplace_back())) return false;
    } else {
      r.Skip();
    }
  }
  return !r.error();
}

}  // namespace

Status DecodeOtlpProto(std::string_view body, size_t max_points, OtlpRequest* out) {
  PointBudget budget{max_points};
  ProtoReader r(body);
  size_t index = 0;
  while (r.Next()) {
    if (r.field() != 1) {
      r.Skip();
      continue;
    }
    std::string_view s;
    if (!r.Bytes(&s)) break;
    if (!DecodeResourceMetrics(s, &budget, &out->resources.emplace_back())) {
      if (budget.exhausted) {
        return Status::ResourceExhausted("request has more than " + std::to_string(max_points) + " data points");
      }
      return Status::InvalidArgument("malformed protobuf in resource_metrics[" + std::to_string(index) + "]");
    }
    ++index;
  }
  if (r.error()) return Status::InvalidArgument("malformed protobuf ExportMetricsServiceRequest");
  return Status::OK();
}

}  // namespace tidemark::ingest
