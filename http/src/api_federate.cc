// GET /federate: the latest sample of each series matching match[] within the lookback window,
// in the text exposition format 0.0.4, as Prometheus' federation handler serves it.
#include <algorithm>
#include <map>

#include "api_common.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::http::api {

namespace {

// expfmt's writeFloat: Go's shortest 'g' form, but 0 (also -0), 1 and -1 plainly.
void AppendValue(std::string& out, double v) {
  if (v == 0) {
    out += '0';
  } else {
    AppendFloat(out, v, 'g', -1);
  }
}

struct Latest {
  const Labels* labels;
  Sample sample;
};

// One series line: the series' labels, then the external labels it lacks, as Prometheus
// appends them.
void AppendSeries(std::string& out, const Latest& s, const std::vector<Label>& external) {
  out.append(s.labels->MetricName());
  out += '{';
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out.append(name).append("=");
    out.append("\"").append(EscapeLabelValue(value)).append("\"");  // text exposition escaping
  };
  for (const Label& l : *s.labels) {
    if (l.name != kMetricName) add(l.name, l.value);
  }
  for (const Label& l : external) {
    if (!s.labels->Has(l.name)) add(l.name, l.value);
  }
  out += "} ";
  AppendValue(out, s.sample.v);
  out += ' ';
  out += std::to_string(s.sample.t);
  out += '\n';
}

HttpResponse Federate(Context& c, HttpRequest& r) {
  auto sets = MatchParams(r);
  if (!sets.ok()) return PlainError(400, sets.status().message());
  const Timestamp maxt = NowMs();
  const Timestamp mint = maxt - c.b.lookback_delta_ms;
  auto q = c.b.storage->NewQuerier(mint, maxt);
  if (!q.ok()) return PlainError(q.status());

  // Series selected by several match[] sets appear once (Prometheus merges the sets).
  std::map<Labels, Sample> latest;
  SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  std::unique_ptr<SeriesIterator> it;
  for (const Matchers& ms : *sets) {
    auto set = (*q)->Select(true, &hints, ms);
    if (!set.ok()) return PlainError(set.status());
    while ((*set)->Next()) {
      const Series& s = (*set)->At();
      if (latest.contains(s.labels())) continue;
      it = s.Iterator(std::move(it));
      bool any = false;
      Sample last;
      while (it->Next() == ValueType::kFloat) {
        last = it->At();
        any = true;
      }
      if (!it->status().ok()) return PlainError(it->status());
      // The exposition format has no staleness marker: a stale series is left out.
      if (any && !IsStaleNaN(last.v) && !s.labels().MetricName().empty()) {
        latest.emplace(s.labels(), last);
      }
    }
    if (!(*set)->status().ok()) return PlainError((*set)->status());
  }

  std::vector<Latest> vec;
  vec.reserve(latest.size());
  for (const auto& [labels, sample] : latest) vec.push_back({&labels, sample});
  std::stable_sort(vec.begin(), vec.end(), [](const Latest& a, const Latest& b) {
    return a.labels->MetricName() < b.labels->MetricName();
  });
  // Every line carries the external labels its series lacks, and `instance` always (empty when
  // not configured): a plain vector, since Labels drops empty values.
  Labels configured = ExternalLabels(c);
  std::vector<Label> external(configured.begin(), configured.end());
  if (!configured.Has("instance")) {
    external.push_back({"instance", ""});
    std::sort(external.begin(), external.end());
  }

  HttpResponse resp;
  resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
  std::string_view family;
  for (const Latest& s : vec) {
    if (s.labels->MetricName() != family) {
      family = s.labels->MetricName();
      resp.body.append("# TYPE ").append(family).append(" untyped\n");
    }
    AppendSeries(resp.body, s, external);
  }
  return resp;
}

}  // namespace

void RegisterFederationRoutes(Router& router, std::shared_ptr<Context> ctx) {
  router.Add({{"GET"}, "/federate", "federate", Pool::kQuery, false,
              [ctx](HttpRequest& r) { return Federate(*ctx, r); }});
}

}  // namespace tidemark::http::api
