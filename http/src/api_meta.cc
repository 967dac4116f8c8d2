// Index endpoints: /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values, /api/v1/metadata.
#include <algorithm>
#include <functional>
#include <iterator>
#include <set>

#include "api_common.h"
#include "tidemark/ingest/ingester.h"

namespace tidemark::http::api {

namespace {

bool ValidLabelName(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

struct Range {
  Timestamp start, end;
  size_t limit;
};

Result<Range> RangeParams(const HttpRequest& r) {
  Range out{};
  TM_ASSIGN_OR_RETURN(out.start, TimeParam(r, "start", kApiMinTime));
  TM_ASSIGN_OR_RETURN(out.end, TimeParam(r, "end", kApiMaxTime));
  std::string lim = r.Param("limit");
  if (!lim.empty()) {
    char* e = nullptr;
    long long n = std::strtoll(lim.c_str(), &e, 10);
    if (e != lim.c_str() + lim.size() || n < 0) {
      return Status::InvalidArgument("invalid parameter \"limit\": cannot parse \"" + lim +
                                     "\" to a valid limit");
    }
    out.limit = static_cast<size_t>(n);
  }
  return out;
}

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, v[i]);
  }
  out += ']';
  return out;
}

// Applies `limit`, returning the truncation warning if it bit.
std::vector<std::string> Truncate(std::vector<std::string>& v, size_t limit) {
  if (limit > 0 && v.size() > limit) {
    v.resize(limit);
    return {"results truncated due to limit"};
  }
  return {};
}

// The answer to a request whose client went away (the server tells through r.disconnect):
// nobody reads it, and 499 is what Prometheus records for it.
bool ClientGone(const HttpRequest& r) { return r.disconnect && r.disconnect->is_set(); }
HttpResponse Canceled() {
  return ErrorResponse("canceled", "request canceled: client disconnected");
}

HttpResponse Series(Context& c, HttpRequest& r) {
  if (r.ParamAll("match[]").empty()) return BadData("no match[] parameter provided");
  auto rp = RangeParams(r);
  if (!rp.ok()) return BadData(rp.status().message());
  auto sets = MatchParams(r);
  if (!sets.ok()) return StatusResponse(sets.status());
  auto q = c.b.storage->NewQuerier(rp->start, rp->end);
  if (!q.ok()) return StatusResponse(q.status());
  std::set<Labels> all;
  for (const Matchers& ms : *sets) {
    SelectHints hints;
    hints.start = rp->start;
    hints.end = rp->end;
    hints.func = "series";
    auto ss = (*q)->Select(false, &hints, ms);
    if (!ss.ok()) return StatusResponse(ss.status());
    for (size_t n = 0; (*ss)->Next(); ++n) {
      if (n % 1024 == 0 && ClientGone(r)) return Canceled();
      all.insert((*ss)->At().labels());
    }
    if (!(*ss)->status().ok()) return StatusResponse((*ss)->status());
  }
  std::string out = "[";
  size_t n = 0;
  std::vector<std::string> warnings;
  if (ClientGone(r)) return Canceled();
  for (const Labels& l : all) {
    if (rp->limit > 0 && n >= rp->limit) {
      warnings.push_back("results truncated due to limit");
      break;
    }
    if (n++) out += ',';
    AppendLabelsJson(out, l);
  }
  out += ']';
  return Success(out, warnings);
}

// Lists label names or values: `lookup` runs once per match[] set (once with no matchers when none
// is given) and the answer is the sorted union, truncated to `limit`.
using StringLookup = std::function<Result<std::vector<std::string>>(Querier&, const Matchers&)>;

HttpResponse StringListResponse(Context& c, HttpRequest& r, const StringLookup& lookup) {
  auto rp = RangeParams(r);
  if (!rp.ok()) return BadData(rp.status().message());
  auto sets = MatchParams(r);
  if (!sets.ok()) return StatusResponse(sets.status());
  auto q = c.b.storage->NewQuerier(rp->start, rp->end);
  if (!q.ok()) return StatusResponse(q.status());
  if (sets->empty()) sets->emplace_back();
  std::vector<std::string> out;
  if (sets->size() == 1) {  // already sorted and unique: skip the set
    auto res = lookup(**q, sets->front());
    if (!res.ok()) return StatusResponse(res.status());
    out = std::move(*res);
  } else {
    std::set<std::string> u;
    for (const Matchers& ms : *sets) {
      if (ClientGone(r)) return Canceled();
      auto res = lookup(**q, ms);
      if (!res.ok()) return StatusResponse(res.status());
      u.insert(std::make_move_iterator(res->begin()), std::make_move_iterator(res->end()));
    }
    out.assign(u.begin(), u.end());
  }
  // One lookup is one index read that cannot stop half-way; a client gone meanwhile costs it,
  // not the rendering.
  if (ClientGone(r)) return Canceled();
  auto w = Truncate(out, rp->limit);
  return Success(StringArray(out), w);
}

HttpResponse LabelNames(Context& c, HttpRequest& r) {
  return StringListResponse(c, r, [](Querier& q, const Matchers& ms) { return q.LabelNames(ms); });
}

HttpResponse LabelValues(Context& c, HttpRequest& r) {
  std::string name = r.path_vars["name"];
  // Prometheus 3 clients may send "U__"-escaped names; decode the simple underscore form.
  if (!ValidLabelName(name)) return BadData("invalid label name: \"" + name + "\"");
  return StringListResponse(
      c, r, [&name](Querier& q, const Matchers& ms) { return q.LabelValues(name, ms); });
}

HttpResponse Metadata(Context& c, HttpRequest& r) {
  size_t limit = 0;
  std::string lim = r.Param("limit");
  if (!lim.empty()) {
    char* e = nullptr;
    long long n = std::strtoll(lim.c_str(), &e, 10);
    if (e != lim.c_str() + lim.size()) return BadData("limit must be a number");
    if (n > 0) limit = static_cast<size_t>(n);
  }
  std::vector<ingest::MetricMetadata> md;
  if (c.b.ingester) md = c.b.ingester->Metadata(r.Param("metric"), limit);
  std::string out = "{";
  std::string cur;
  bool first_metric = true;
  for (size_t i = 0; i < md.size(); ++i) {
    const auto& m = md[i];
    if (i == 0 || m.metric != md[i - 1].metric) {
      if (!first_metric) out += "],";
      first_metric = false;
      AppendJsonString(out, m.metric);
      out += ":[";
    } else {
      out += ',';
    }
    out += "{\"type\":";
    AppendJsonString(out, m.type);
    out += ",\"help\":";
    AppendJsonString(out, m.help);
    out += ",\"unit\":";
    AppendJsonString(out, m.unit);
    out += '}';
  }
  if (!first_metric) out += ']';
  out += '}';
  return Success(out);
}

}  // namespace

void RegisterMetaRoutes(Router& router, std::shared_ptr<Context> ctx) {
  auto wrap = [ctx](HttpResponse (*fn)(Context&, HttpRequest&)) {
    return [ctx, fn](HttpRequest& r) { return fn(*ctx, r); };
  };
  router.Add({{"GET", "POST"}, "/api/v1/series", "series", Pool::kQuery, false, wrap(&Series)});
  router.Add({{"GET", "POST"}, "/api/v1/labels", "labels", Pool::kQuery, false, wrap(&LabelNames)});
  router.Add({{"GET"}, "/api/v1/label/:name/values", "label_values", Pool::kQuery, false,
              wrap(&LabelValues)});
  router.Add({{"GET"}, "/api/v1/metadata", "metadata", Pool::kInline, false, wrap(&Metadata)});
}

}  // namespace tidemark::http::api
