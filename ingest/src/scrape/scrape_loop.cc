// ScrapeLoop (see scrape_loop.h): Prometheus' scrapeAndReport, append, report and staleness.
#include "scrape_loop.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_set>

#include "../content_type.h"
#include "tidemark/httpclient/client.h"
#include "tidemark/storage/model/gzip.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest::scrape {

namespace {

constexpr const char* kReportNames[5] = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                                         "scrape_samples_post_metric_relabeling", "scrape_series_added"};
// Without body_size_limit, a body may still not exceed this (decompressed or not).
constexpr uint64_t kMaxBody = 1ull << 30;

std::string_view MetadataType(std::string_view t) { return t == "untyped" ? "unknown" : t; }

}  // namespace

ScrapeLoop::ScrapeLoop(Target target, std::string pool, std::shared_ptr<const PoolSettings> settings,
                       Appendable& storage, MetadataSink metadata)
    : target_(std::move(target)),
      pool_(std::move(pool)),
      storage_(storage),
      metadata_sink_(std::move(metadata)),
      settings_(std::move(settings)) {
  // Scrapes have their own limits (label_limit, ...); the remote-write defaults do not apply.
  write_options_.max_labels_per_series = std::numeric_limits<size_t>::max();
  write_options_.max_label_name_len = std::numeric_limits<size_t>::max();
  write_options_.max_label_value_len = std::numeric_limits<size_t>::max();
  for (int i = 0; i < 5; ++i) {
    report_[i].labels = target_.public_labels.With(kMetricName, kReportNames[i]);
    MakeViews(report_[i]);
  }
  status_.scrape_pool = pool_;
  status_.discovered_labels = target_.discovered;
  status_.labels = target_.public_labels;
  status_.scrape_url = target_.url;
  status_.scrape_interval = std::string(target_.labels.Get("__scrape_interval__"));
  status_.scrape_timeout = std::string(target_.labels.Get("__scrape_timeout__"));
}

void ScrapeLoop::MakeViews(Entry& e) {
  e.views.clear();
  for (const Label& l : e.labels) e.views.push_back({l.name, l.value});
}

Result<std::string> ScrapeLoop::Fetch(std::string* content_type) const {
  const PoolSettings& s = *settings_;
  const uint64_t limit = s.config.body_size_limit ? s.config.body_size_limit : kMaxBody;
  httpclient::Request req;
  req.method = "GET";
  req.url = target_.url;
  req.timeout_ms = static_cast<int>(target_.timeout_ms);
  req.body_limit = limit;
  req.headers = {{"Accept", s.accept_header},
                 {"Accept-Encoding", s.config.enable_compression ? "gzip" : "identity"},
                 {"X-Prometheus-Scrape-Timeout-Seconds", FormatFloat(target_.timeout_ms / 1000.0, 'f', -1)}};
  TM_ASSIGN_OR_RETURN(httpclient::Response resp, s.client->Do(req, &session_));
  if (resp.status != 200) {
    return Status::Unavailable("server returned HTTP status " + std::to_string(resp.status) + " " + resp.reason);
  }
  *content_type = resp.Header("Content-Type");
  if (resp.Header("Content-Encoding") != "gzip") {
    if (s.config.body_size_limit && resp.body.size() >= limit) return Status::ResourceExhausted("body size limit exceeded");
    return std::move(resp.body);
  }
  std::string out;
  Status st = GzipDecompress(resp.body, limit, &out);
  if (st.code() == StatusCode::kResourceExhausted) return Status::ResourceExhausted("body size limit exceeded");
  if (!st.ok()) return Status::InvalidArgument("gzip: " + st.message());
  if (s.config.body_size_limit && out.size() >= limit) return Status::ResourceExhausted("body size limit exceeded");
  return out;
}

bool ScrapeLoop::MutateLabels(LabelsBuilder& lb) const {
  const ScrapeConfig& cfg = settings_->config;
  if (cfg.honor_labels) {
    for (const Label& l : target_.public_labels) {
      if (lb.Get(l.name).empty()) lb.Set(l.name, l.value);
    }
  } else {
    // Exposed labels that clash with target labels are kept as exported_<name> (shortest
    // names first, prefix repeated until free), as Prometheus does.
    std::vector<Label> conflicts;
    for (const Label& l : target_.public_labels) {
      std::string_view existing = lb.Get(l.name);
      if (!existing.empty()) conflicts.push_back({l.name, std::string(existing)});
      lb.Set(l.name, l.value);
    }
    std::stable_sort(conflicts.begin(), conflicts.end(),
                     [](const Label& a, const Label& b) { return a.name.size() < b.name.size(); });
    for (const Label& c : conflicts) {
      std::string name = c.name;
      do {
        name = "exported_" + name;
      } while (!lb.Get(name).empty());
      lb.Set(name, c.value);
    }
  }
  return !cfg.metric_relabel || cfg.metric_relabel->Apply(lb);
}

Status ScrapeLoop::CheckLimits(const Labels& ls) const {
  const ScrapeConfig& cfg = settings_->config;
  const std::string metric(ls.MetricName().substr(0, 50));
  if (cfg.label_limit && ls.size() > cfg.label_limit) {
    return Status::InvalidArgument("label_limit exceeded (metric: " + metric + ", number of labels: " +
                                   std::to_string(ls.size()) + ", limit: " + std::to_string(cfg.label_limit) + ")");
  }
  for (const Label& l : ls) {
    if (cfg.label_name_length_limit && l.name.size() > cfg.label_name_length_limit) {
      return Status::InvalidArgument("label_name_length_limit exceeded (metric: " + metric + ", label name: " +
                                     l.name.substr(0, 50) + ", length: " + std::to_string(l.name.size()) +
                                     ", limit: " + std::to_string(cfg.label_name_length_limit) + ")");
    }
    if (cfg.label_value_length_limit && l.value.size() > cfg.label_value_length_limit) {
      return Status::InvalidArgument("label_value_length_limit exceeded (metric: " + metric + ", label name: " +
                                     l.name.substr(0, 50) + ", value: " + Quote(l.value.substr(0, 50)) +
                                     ", length: " + std::to_string(l.value.size()) + ", limit: " +
                                     std::to_string(cfg.label_value_length_limit) + ")");
    }
  }
  return Status::OK();
}

Status ScrapeLoop::AppendBody(BatchWriter& w, std::string_view body, std::string_view content_type,
                              int64_t ts_ms, Counts* c) {
  const ScrapeConfig& cfg = settings_->config;
  std::string media = ParseMediaType(content_type).type;
  if (media != "text/plain" && media != "application/openmetrics-text") {
    if (cfg.fallback_scrape_protocol.empty()) {
      if (content_type.empty()) {
        return Status::InvalidArgument(
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target");
      }
      return Status::InvalidArgument("received unsupported Content-Type \"" + std::string(content_type) +
                                     "\" and no fallback_scrape_protocol specified for target");
    }
    media = ProtocolMediaType(cfg.fallback_scrape_protocol);
  }
  ExpositionParser p(body, media == "text/plain" ? ExpoFormat::kPrometheusText : ExpoFormat::kOpenMetrics);
  ++iter_;
  const SampleIn stale{0, ts_ms, StaleNaN()};
  std::unordered_set<uint64_t> new_hashes;  // only kept while a reload's old series are pending
  struct FamilyView {
    std::string_view metric, type = "unknown", help, unit;
  };
  std::vector<FamilyView> fams;
  for (;;) {
    TM_ASSIGN_OR_RETURN(ExpoEntry e, p.Next());
    if (e == ExpoEntry::kEnd) break;
    if (e != ExpoEntry::kSeries) {
      if (fams.empty() || fams.back().metric != p.meta_metric()) fams.push_back({p.meta_metric(), "unknown", {}, {}});
      FamilyView& f = fams.back();
      (e == ExpoEntry::kType ? f.type : e == ExpoEntry::kHelp ? f.help : f.unit) =
          e == ExpoEntry::kType ? MetadataType(p.meta_text()) : p.meta_text();
      continue;
    }
    ++c->total;
    const bool own_ts = cfg.honor_timestamps && p.has_timestamp();
    const SampleIn s{0, own_ts ? p.timestamp_ms() : ts_ms, p.value()};
    auto it = cache_.find(p.series());
    Entry* entry;
    bool is_new = false;
    if (it != cache_.end()) {
      entry = it->second.get();
      if (entry->dropped) {
        entry->seen_iter = iter_;
        continue;
      }
      if (entry->seen_iter == iter_ && !own_ts) {
        // The same series twice in one exposition: Prometheus rejects the second sample as a
        // duplicate and counts it.
        ++c->added;
        w.Reject(RejectReason::kDuplicate, 1, "duplicate sample for timestamp");
        continue;
      }
    } else {
      std::string_view name;
      TM_RETURN_IF_ERROR(p.Labels(&name, &parsed_labels_));
      LabelsBuilder lb;
      for (const ExpoLabel& l : parsed_labels_) lb.Set(l.name, l.value);
      lb.Set(kMetricName, name);
      auto fresh = std::make_unique<Entry>();
      if (!MutateLabels(lb) || (fresh->labels = lb.Build()).empty()) {
        fresh->dropped = true;
        fresh->labels = Labels();
      } else {
        if (!fresh->labels.Has(kMetricName)) return Status::InvalidArgument("missing metric name (__name__ label)");
        TM_RETURN_IF_ERROR(CheckLimits(fresh->labels));
        MakeViews(*fresh);
        is_new = true;
        if (!carried_.empty()) new_hashes.insert(fresh->labels.Hash());
      }
      entry = fresh.get();
      cache_.emplace(std::string(p.series()), std::move(fresh));
      if (entry->dropped) {
        entry->seen_iter = iter_;
        continue;
      }
    }
    ++c->added;
    if (cfg.sample_limit && c->added > cfg.sample_limit) {
      return Status::ResourceExhausted("sample limit exceeded");
    }
    w.AddSeriesViews(entry->views, std::span(&s, 1), &entry->ref);
    entry->seen_iter = iter_;
    entry->tracked = !own_ts;
    if (is_new) ++c->series_added;
  }
  // Series of the previous scrape that are gone: a staleness marker each.
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second->seen_iter == iter_) {
      it->second->live = it->second->tracked;
      ++it;
      continue;
    }
    if (it->second->live) w.AddSeriesViews(it->second->views, std::span(&stale, 1), &it->second->ref);
    graveyard_.push_back(std::move(it->second));
    it = cache_.erase(it);
  }
  for (auto& e : carried_) {
    if (!new_hashes.contains(e->labels.Hash())) w.AddSeriesViews(e->views, std::span(&stale, 1), &e->ref);
    graveyard_.push_back(std::move(e));
  }
  carried_.clear();

  bool changed = fams.size() != families_.size();
  for (size_t i = 0; !changed && i < fams.size(); ++i) {
    const MetricMetadata& o = families_[i];
    changed = o.metric != fams[i].metric || o.type != fams[i].type || o.help != fams[i].help || o.unit != fams[i].unit;
  }
  if (changed) {
    std::vector<MetricMetadata> next;
    next.reserve(fams.size());
    for (const FamilyView& f : fams) {
      next.push_back({std::string(f.metric), std::string(f.type), std::string(f.help), std::string(f.unit)});
    }
    families_ = std::move(next);
    if (metadata_sink_) metadata_sink_(families_);
    std::lock_guard<std::mutex> lock(status_mu_);
    metadata_ = families_;
  }
  return Status::OK();
}

void ScrapeLoop::StaleAllLive(BatchWriter& w, int64_t ts_ms) {
  const SampleIn stale{0, ts_ms, StaleNaN()};
  for (auto& [key, e] : cache_) {
    if (!e->live) continue;
    w.AddSeriesViews(e->views, std::span(&stale, 1), &e->ref);
    e->live = false;
  }
  for (auto& e : carried_) {
    w.AddSeriesViews(e->views, std::span(&stale, 1), &e->ref);
    graveyard_.push_back(std::move(e));
  }
  carried_.clear();
}

void ScrapeLoop::Report(BatchWriter& w, int64_t ts_ms, const double values[5]) {
  for (int i = 0; i < 5; ++i) {
    const SampleIn s{0, ts_ms, values[i]};
    w.AddSeriesViews(report_[i].views, std::span(&s, 1), &report_[i].ref);
  }
}

void ScrapeLoop::Scrape(int64_t ts_ms) {
  std::lock_guard<std::mutex> lock(scrape_mu_);
  ApplyPendingSettings();
  const auto start = std::chrono::steady_clock::now();
  std::string content_type;
  Counts c;
  std::string err;
  auto w = std::make_unique<BatchWriter>(storage_, write_options_);
  auto body = Fetch(&content_type);
  if (!body.ok()) {
    err = body.status().message();
  } else {
    Status st = AppendBody(*w, *body, content_type, ts_ms, &c);
    if (!st.ok()) {
      // As Prometheus: nothing of a bad exposition is kept; it counts as an empty scrape.
      err = st.message();
      w->Abort();
      w = std::make_unique<BatchWriter>(storage_, write_options_);
    }
  }
  if (!err.empty()) StaleAllLive(*w, ts_ms);
  const double duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double values[5] = {err.empty() ? 1.0 : 0.0, duration, double(c.total), double(c.added),
                            double(c.series_added)};
  Report(*w, ts_ms, values);
  Status fin = w->Finish();
  graveyard_.clear();
  if (!fin.ok()) err = "appending the scrape: " + fin.message();
  scraped_ = true;
  std::lock_guard<std::mutex> sl(status_mu_);
  status_.last_error = err;
  status_.last_scrape_ms = ts_ms;
  status_.last_scrape_duration_s = duration;
  status_.health = err.empty() ? "up" : "down";
}

void ScrapeLoop::WriteStaleMarkers(int64_t ts_ms) {
  std::lock_guard<std::mutex> lock(scrape_mu_);
  if (!scraped_) return;
  BatchWriter w(storage_, write_options_);
  StaleAllLive(w, ts_ms);
  const double stale[5] = {StaleNaN(), StaleNaN(), StaleNaN(), StaleNaN(), StaleNaN()};
  Report(w, ts_ms, stale);
  w.Finish().IgnoreError();  // the target is gone; nothing to report it to
  graveyard_.clear();
}

void ScrapeLoop::SetSettings(std::shared_ptr<const PoolSettings> settings) {
  std::lock_guard<std::mutex> lock(status_mu_);
  pending_settings_ = std::move(settings);
}

void ScrapeLoop::ApplyPendingSettings() {
  std::shared_ptr<const PoolSettings> next;
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    next = std::move(pending_settings_);
  }
  if (!next || next == settings_) return;
  settings_ = std::move(next);
  // Labels may now come out differently (honor_labels, metric relabelling): resolve again, and
  // mark the old ones stale at the next scrape unless it yields them again.
  for (auto& [key, e] : cache_) {
    if (e->live) carried_.push_back(std::move(e));
  }
  cache_.clear();
}

TargetStatus ScrapeLoop::GetStatus() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

std::vector<MetricMetadata> ScrapeLoop::Metadata() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return metadata_;
}

}  // namespace tidemark::ingest::scrape
