// Scrape endpoints: /api/v1/targets, /api/v1/targets/metadata and /api/v1/scrape_pools, in
// Prometheus' JSON shapes, over the ingest module's ScrapeManager.
#include <algorithm>

#include "api_common.h"
#include "tidemark/ingest/scrape.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::http::api {

namespace {

HttpResponse Targets(Context& c, HttpRequest& r) {
  std::string state = r.Param("state");
  std::transform(state.begin(), state.end(), state.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const std::string pool = r.Param("scrapePool");
  const bool active = state.empty() || state == "any" || state == "active";
  const bool dropped = state.empty() || state == "any" || state == "dropped";
  std::string out = "{\"activeTargets\":[";
  if (active && c.b.scraper) {
    bool first = true;
    for (const ingest::TargetStatus& t : c.b.scraper->ActiveTargets()) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      if (!first) out += ',';
      first = false;
      out += "{\"discoveredLabels\":";
      AppendLabelsJson(out, t.discovered_labels);
      out += ",\"labels\":";
      AppendLabelsJson(out, t.labels);
      out += ",\"scrapePool\":";
      AppendJsonString(out, t.scrape_pool);
      out += ",\"scrapeUrl\":";
      AppendJsonString(out, t.scrape_url);
      out += ",\"globalUrl\":";
      AppendJsonString(out, t.scrape_url);
      out += ",\"lastError\":";
      AppendJsonString(out, t.last_error);
      out += ",\"lastScrape\":";
      AppendJsonString(out, FormatGoTime(t.last_scrape_ms, Rfc3339Fraction::kTrimmed));
      out += ",\"lastScrapeDuration\":";
      AppendJsonFloat(out, t.last_scrape_duration_s);
      out += ",\"health\":";
      AppendJsonString(out, t.health);
      out += ",\"scrapeInterval\":";
      AppendJsonString(out, t.scrape_interval);
      out += ",\"scrapeTimeout\":";
      AppendJsonString(out, t.scrape_timeout);
      out += '}';
    }
  }
  out += "],\"droppedTargets\":[";
  if (dropped && c.b.scraper) {
    bool first = true;
    for (const ingest::DroppedTarget& t : c.b.scraper->DroppedTargets()) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      if (!first) out += ',';
      first = false;
      out += "{\"discoveredLabels\":";
      AppendLabelsJson(out, t.discovered_labels);
      out += ",\"scrapePool\":";
      AppendJsonString(out, t.scrape_pool);
      out += '}';
    }
  }
  out += ']';
  if (dropped) {
    out += ",\"droppedTargetCounts\":{";
    if (c.b.scraper) {
      bool first = true;
      for (const auto& [name, n] : c.b.scraper->DroppedTargetCounts()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, name);
        out += ':' + std::to_string(n);
      }
    }
    out += '}';
  } else {
    out += ",\"droppedTargetCounts\":null";
  }
  out += '}';
  return Success(out);
}

HttpResponse TargetsMetadata(Context& c, HttpRequest& r) {
  int64_t limit = -1;
  const std::string lim = r.Param("limit");
  if (!lim.empty()) {
    auto n = ParseInt(lim, 10);
    if (!n.ok()) return BadData("limit must be a number");
    limit = *n;
  }
  Matchers matchers;
  const std::string match = r.Param("match_target");
  if (!match.empty()) {
    auto ms = query::ParseMetricSelector(match);
    if (!ms.ok()) return BadData("invalid parameter \"match_target\": " + ms.status().message());
    matchers = std::move(*ms);
  }
  std::string out = "[";
  if (c.b.scraper) {
    auto keep = [&matchers](const Labels& l) { return MatchesAll(l, matchers); };
    bool first = true;
    for (const ingest::TargetMetadata& m : c.b.scraper->Metadata(keep, r.Param("metric"), limit)) {
      if (!first) out += ',';
      first = false;
      out += "{\"target\":";
      AppendLabelsJson(out, m.target);
      if (!m.metric.empty()) {
        out += ",\"metric\":";
        AppendJsonString(out, m.metric);
      }
      out += ",\"type\":";
      AppendJsonString(out, m.type);
      out += ",\"help\":";
      AppendJsonString(out, m.help);
      out += ",\"unit\":";
      AppendJsonString(out, m.unit);
      out += '}';
    }
  }
  out += ']';
  return Success(out);
}

HttpResponse ScrapePools(Context& c, HttpRequest&) {
  std::vector<std::string> pools;
  if (c.b.scraper) pools = c.b.scraper->ScrapePools();
  std::string out = "{\"scrapePools\":[";
  for (size_t i = 0; i < pools.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, pools[i]);
  }
  out += "]}";
  return Success(out);
}

}  // namespace

void RegisterTargetRoutes(Router& router, std::shared_ptr<Context> ctx) {
  auto wrap = [ctx](HttpResponse (*fn)(Context&, HttpRequest&)) {
    return [ctx, fn](HttpRequest& r) { return fn(*ctx, r); };
  };
  router.Add({{"GET"}, "/api/v1/targets", "targets", Pool::kInline, false, wrap(&Targets)});
  router.Add({{"GET"}, "/api/v1/targets/metadata", "targets_metadata", Pool::kInline, false,
              wrap(&TargetsMetadata)});
  router.Add({{"GET"}, "/api/v1/scrape_pools", "scrape_pools", Pool::kInline, false, wrap(&ScrapePools)});
}

}  // namespace tidemark::http::api
