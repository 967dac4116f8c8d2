// The scrape loop against a local HTTP server: samples and report series, staleness markers
// (series gone, failed scrape, target gone), label conflicts, limits, timestamps, negotiation.
// Each scrape's timestamp is given explicitly, so nothing depends on the wall clock.
#include "scrape/scrape_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_exporter.h"
#include "ingest_test_util.h"
#include "scrape/file_sd.h"
#include "support/compress.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/storage.h"

namespace tidemark::ingest::scrape {
namespace {

using ::tidemark::ingest::testing::DumpStore;
using ::tidemark::ingest::testing::FakeExporter;

ScrapeConfig Config() {
  ScrapeConfig c;
  c.job_name = "job";
  c.scrape_interval_ms = 15'000;
  c.scrape_timeout_ms = 10'000;
  return c;
}

std::shared_ptr<const PoolSettings> Settings(ScrapeConfig c) {
  auto s = std::make_shared<PoolSettings>();
  auto client = httpclient::Client::Create({});
  EXPECT_TRUE(client.ok());
  s->client = *client;
  s->accept_header = AcceptHeader(c.scrape_protocols.empty() ? DefaultScrapeProtocols() : c.scrape_protocols);
  s->config = std::move(c);
  return s;
}

class ScrapeLoopTest : public ::testing::Test {
 protected:
  std::unique_ptr<ScrapeLoop> Loop(ScrapeConfig c = Config()) {
    Labels discovered;
    auto t = PopulateTarget(c, exporter_.address(), {}, &discovered);
    EXPECT_TRUE(t.ok() && t->has_value());
    return std::make_unique<ScrapeLoop>(std::move(**t), "job", Settings(std::move(c)), *store_,
                                        [this](const std::vector<MetricMetadata>& md) { metadata_ = md; });
  }
  // `name` plus the target labels, as the store renders it.
  std::string S(const std::string& name, const std::string& extra = "") {
    return name + "{" + extra + "instance=\"" + exporter_.address() + "\", job=\"job\"}";
  }
  std::vector<std::pair<Timestamp, double>> Samples(const std::string& series) {
    auto d = DumpStore(*store_);
    return d.count(series) ? d[series] : std::vector<std::pair<Timestamp, double>>{};
  }

  FakeExporter exporter_;
  std::unique_ptr<Storage> store_ = NewMemStorage();
  std::vector<MetricMetadata> metadata_;
};

using Points = std::vector<std::pair<Timestamp, double>>;

bool StaleAt(const Points& p, Timestamp t) {
  return !p.empty() && p.back().first == t && IsStaleNaN(p.back().second);
}

TEST_F(ScrapeLoopTest, AppendsSamplesAndReportSeries) {
  exporter_.Set(200, "text/plain; version=0.0.4; charset=utf-8",
                "# HELP a The a.\n# TYPE a gauge\na 1\nb{x=\"y\"} 2\n");
  auto loop = Loop();
  loop->Scrape(1000);
  EXPECT_EQ(Samples(S("a")), (Points{{1000, 1}}));
  EXPECT_EQ(Samples("b{instance=\"" + exporter_.address() + "\", job=\"job\", x=\"y\"}"), (Points{{1000, 2}}));
  EXPECT_EQ(Samples(S("up")), (Points{{1000, 1}}));
  EXPECT_EQ(Samples(S("scrape_samples_scraped")), (Points{{1000, 2}}));
  EXPECT_EQ(Samples(S("scrape_samples_post_metric_relabeling")), (Points{{1000, 2}}));
  EXPECT_EQ(Samples(S("scrape_series_added")), (Points{{1000, 2}}));
  EXPECT_EQ(Samples(S("scrape_duration_seconds")).size(), 1u);
  const std::string req = exporter_.last_request();
  EXPECT_NE(req.find("Accept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                     "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;"
                     "escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2\r\n"),
            std::string::npos)
      << req;
  EXPECT_NE(req.find("Accept-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(req.find("X-Prometheus-Scrape-Timeout-Seconds: 10\r\n"), std::string::npos);
  TargetStatus st = loop->GetStatus();
  EXPECT_EQ(st.health, "up");
  EXPECT_EQ(st.last_error, "");
  EXPECT_EQ(st.last_scrape_ms, 1000);
  EXPECT_EQ(st.scrape_url, "http://" + exporter_.address() + "/metrics");
  ASSERT_EQ(metadata_.size(), 1u);
  EXPECT_EQ(metadata_[0].metric, "a");
  EXPECT_EQ(metadata_[0].type, "gauge");
  EXPECT_EQ(metadata_[0].help, "The a.");
  EXPECT_EQ(loop->Metadata().size(), 1u);
}

TEST_F(ScrapeLoopTest, StaleMarkerWhenSeriesDisappears) {
  exporter_.Set(200, "text/plain", "a 1\nb 2\n");
  auto loop = Loop();
  loop->Scrape(1000);
  exporter_.Set(200, "text/plain", "a 3\n");
  loop->Scrape(16000);
  EXPECT_EQ(Samples(S("a")), (Points{{1000, 1}, {16000, 3}}));
  Points b = Samples(S("b"));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(StaleAt(b, 16000));
  EXPECT_EQ(Samples(S("scrape_series_added")), (Points{{1000, 2}, {16000, 0}}));
  // A series that comes back is a new series again; no second marker for b meanwhile.
  exporter_.Set(200, "text/plain", "a 4\nb 5\n");
  loop->Scrape(31000);
  EXPECT_EQ(Samples(S("b")).back(), (std::pair<Timestamp, double>{31000, 5}));
  EXPECT_EQ(Samples(S("scrape_series_added")).back().second, 1);
}

TEST_F(ScrapeLoopTest, FailedScrapeMarksEverySeriesStale) {
  exporter_.Set(200, "text/plain", "a 1\n");
  auto loop = Loop();
  loop->Scrape(1000);
  exporter_.Set(500, "text/plain", "oops");
  loop->Scrape(16000);
  EXPECT_TRUE(StaleAt(Samples(S("a")), 16000));
  EXPECT_EQ(Samples(S("up")), (Points{{1000, 1}, {16000, 0}}));
  EXPECT_EQ(Samples(S("scrape_samples_scraped")).back().second, 0);
  EXPECT_EQ(loop->GetStatus().health, "down");
  EXPECT_EQ(loop->GetStatus().last_error, "server returned HTTP status 500 Status");
  // Still failing: no second marker.
  loop->Scrape(31000);
  EXPECT_EQ(Samples(S("a")).size(), 2u);
}

TEST_F(ScrapeLoopTest, ParseErrorKeepsNothingOfTheScrape) {
  exporter_.Set(200, "text/plain", "a 1\n");
  auto loop = Loop();
  loop->Scrape(1000);
  exporter_.Set(200, "text/plain", "a 2\nb{ 3\n");
  loop->Scrape(16000);
  Points a = Samples(S("a"));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(StaleAt(a, 16000));  // not 2: the bad exposition counts as an empty scrape
  EXPECT_EQ(Samples(S("up")).back().second, 0);
  EXPECT_NE(loop->GetStatus().last_error.find("(line 2)"), std::string::npos);
}

TEST_F(ScrapeLoopTest, TargetGoneWritesStaleMarkersForEverything) {
  exporter_.Set(200, "text/plain", "a 1\n");
  auto loop = Loop();
  loop->WriteStaleMarkers(500);  // never scraped: nothing to mark
  EXPECT_TRUE(Samples(S("up")).empty());
  loop->Scrape(1000);
  loop->WriteStaleMarkers(9000);
  EXPECT_TRUE(StaleAt(Samples(S("a")), 9000));
  for (const char* n : {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                        "scrape_samples_post_metric_relabeling", "scrape_series_added"}) {
    EXPECT_TRUE(StaleAt(Samples(S(n)), 9000)) << n;
  }
}

TEST_F(ScrapeLoopTest, ConflictingLabelsBecomeExported) {
  exporter_.Set(200, "text/plain", "a{job=\"x\",instance=\"i\",exported_job=\"taken\"} 1\n");
  auto loop = Loop();
  loop->Scrape(1000);
  auto d = DumpStore(*store_);
  const std::string want = "a{exported_exported_job=\"x\", exported_instance=\"i\", exported_job=\"taken\", instance=\"" +
                           exporter_.address() + "\", job=\"job\"}";
  EXPECT_EQ(d.count(want), 1u) << ::testing::PrintToString(d);
}

TEST_F(ScrapeLoopTest, HonorLabelsKeepsExposedLabels) {
  exporter_.Set(200, "text/plain", "a{job=\"x\"} 1\n");
  ScrapeConfig c = Config();
  c.honor_labels = true;
  auto loop = Loop(c);
  loop->Scrape(1000);
  EXPECT_EQ(Samples("a{instance=\"" + exporter_.address() + "\", job=\"x\"}"), (Points{{1000, 1}}));
}

TEST_F(ScrapeLoopTest, SampleLimitFailsTheScrape) {
  exporter_.Set(200, "text/plain", "a 1\nb 2\n");
  ScrapeConfig c = Config();
  c.sample_limit = 1;
  auto loop = Loop(c);
  loop->Scrape(1000);
  EXPECT_TRUE(Samples(S("a")).empty());
  EXPECT_EQ(Samples(S("up")), (Points{{1000, 0}}));
  EXPECT_EQ(loop->GetStatus().last_error, "sample limit exceeded");
}

TEST_F(ScrapeLoopTest, LabelLimitsFailTheScrape) {
  exporter_.Set(200, "text/plain", "a{x=\"1\",y=\"2\"} 1\n");
  ScrapeConfig c = Config();
  c.label_limit = 4;  // __name__, instance, job, x, y = 5
  auto loop = Loop(c);
  loop->Scrape(1000);
  EXPECT_EQ(loop->GetStatus().last_error,
            "label_limit exceeded (metric: a, number of labels: 5, limit: 4)");
  c = Config();
  c.label_value_length_limit = 1;
  exporter_.Set(200, "text/plain", "a{x=\"12\"} 1\n");
  auto loop2 = Loop(c);
  loop2->Scrape(1000);
  EXPECT_EQ(loop2->GetStatus().health, "down");
}

TEST_F(ScrapeLoopTest, HonorTimestamps) {
  exporter_.Set(200, "text/plain", "a 1 5000\n");
  auto loop = Loop();
  loop->Scrape(9000);
  EXPECT_EQ(Samples(S("a")), (Points{{5000, 1}}));
  exporter_.Set(200, "text/plain", "");
  loop->Scrape(24000);
  EXPECT_EQ(Samples(S("a")).size(), 1u);  // own timestamps: no staleness tracking
  ScrapeConfig c = Config();
  c.honor_timestamps = false;
  exporter_.Set(200, "text/plain", "b 1 5000\n");
  auto loop2 = Loop(c);
  loop2->Scrape(9000);
  EXPECT_EQ(Samples(S("b")), (Points{{9000, 1}}));
}

TEST_F(ScrapeLoopTest, GzipOpenMetricsWithCreatedAndExemplars) {
  exporter_.Set(200, "application/openmetrics-text; version=1.0.0; charset=utf-8",
                tidemark::testing::Gzip("# TYPE c counter\nc_total 3 # {t=\"1\"} 1\nc_created 1.5e9\n# EOF\n"),
                "Content-Encoding: gzip\r\n");
  auto loop = Loop();
  loop->Scrape(1000);
  EXPECT_EQ(loop->GetStatus().last_error, "");
  EXPECT_EQ(Samples(S("c_total")), (Points{{1000, 3}}));
  EXPECT_EQ(Samples(S("c_created")), (Points{{1000, 1.5e9}}));
}

TEST_F(ScrapeLoopTest, ContentTypeNegotiation) {
  exporter_.Set(200, "", "a 1\n");
  auto loop = Loop();
  loop->Scrape(1000);
  EXPECT_EQ(loop->GetStatus().last_error,
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target");
  exporter_.Set(200, "application/json", "a 1\n");
  loop->Scrape(2000);
  EXPECT_EQ(loop->GetStatus().last_error,
            "received unsupported Content-Type \"application/json\" and no fallback_scrape_protocol specified for target");
  ScrapeConfig c = Config();
  c.fallback_scrape_protocol = "PrometheusText0.0.4";
  auto loop2 = Loop(c);
  loop2->Scrape(3000);
  EXPECT_EQ(loop2->GetStatus().health, "up");
  EXPECT_EQ(Samples(S("a")), (Points{{3000, 1}}));
}

TEST_F(ScrapeLoopTest, DuplicateSeriesKeepsTheFirstSample) {
  exporter_.Set(200, "text/plain", "a 1\na 2\n");
  auto loop = Loop();
  loop->Scrape(1000);
  EXPECT_EQ(Samples(S("a")), (Points{{1000, 1}}));
  EXPECT_EQ(Samples(S("scrape_samples_post_metric_relabeling")), (Points{{1000, 2}}));
}

std::shared_ptr<const relabel::Relabeler> Rules(std::vector<relabel::Config> rules) {
  auto r = relabel::Relabeler::Compile(std::move(rules));
  EXPECT_TRUE(r.ok());
  return std::make_shared<const relabel::Relabeler>(std::move(*r));
}

TEST_F(ScrapeLoopTest, MetricRelabelingDropsAndRewrites) {
  exporter_.Set(200, "text/plain", "keep_me{x=\"1\"} 1\ndrop_me 2\n");
  ScrapeConfig c = Config();
  relabel::Config drop;
  drop.source_labels = {"__name__"};
  drop.regex = "drop_.*";
  drop.action = relabel::Action::kDrop;
  relabel::Config rename;
  rename.source_labels = {"x"};
  rename.target_label = "y";
  c.metric_relabel = Rules({drop, rename});
  auto loop = Loop(c);
  loop->Scrape(1000);
  auto d = DumpStore(*store_);
  EXPECT_EQ(d.count("keep_me{instance=\"" + exporter_.address() + "\", job=\"job\", x=\"1\", y=\"1\"}"), 1u)
      << ::testing::PrintToString(d);
  EXPECT_TRUE(Samples(S("drop_me")).empty());
  EXPECT_EQ(Samples(S("scrape_samples_scraped")), (Points{{1000, 2}}));
  EXPECT_EQ(Samples(S("scrape_samples_post_metric_relabeling")), (Points{{1000, 1}}));
}

TEST(ScrapeTargetTest, RelabelingDropsOrRewritesTargets) {
  ScrapeConfig c = Config();
  relabel::Config keep;
  keep.source_labels = {"__address__"};
  keep.regex = "keep.*";
  keep.action = relabel::Action::kKeep;
  relabel::Config meta;
  meta.source_labels = {"__meta_filepath"};
  meta.target_label = "file";
  c.relabel = Rules({keep, meta});
  Labels discovered;
  auto dropped = PopulateTarget(c, "other:1", {}, &discovered);
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped->has_value());
  EXPECT_EQ(discovered.Get("__address__"), "other:1");
  auto kept = PopulateTarget(c, "keep:1", {{"__meta_filepath", "t.json"}}, &discovered);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->public_labels.ToString(), "{file=\"t.json\", instance=\"keep:1\", job=\"job\"}");
  EXPECT_FALSE((*kept)->labels.Has("__meta_filepath"));
}

TEST(ScrapeTargetTest, PopulateLabelsAndUrl) {
  ScrapeConfig c = Config();
  c.metrics_path = "/probe";
  c.params = {{"module", {"http_2xx", "other"}}, {"ab", {"x&y"}}};
  Labels discovered;
  auto t = PopulateTarget(c, "host:9100", {{"env", "prod"}, {"__param_module", "icmp"}}, &discovered);
  ASSERT_TRUE(t.ok() && t->has_value());
  const Target& target = **t;
  EXPECT_EQ(discovered.ToString(),
            "{__address__=\"host:9100\", __metrics_path__=\"/probe\", __param_ab=\"x&y\", "
            "__param_module=\"icmp\", __scheme__=\"http\", __scrape_interval__=\"15s\", "
            "__scrape_timeout__=\"10s\", env=\"prod\", job=\"job\"}");
  EXPECT_EQ(target.public_labels.ToString(), "{env=\"prod\", instance=\"host:9100\", job=\"job\"}");
  EXPECT_EQ(target.url, "http://host:9100/probe?ab=x%26y&module=icmp&module=other");
  EXPECT_EQ(target.interval_ms, 15'000);
  EXPECT_EQ(target.discovered, discovered);
  EXPECT_FALSE(PopulateTarget(c, "host/x", {}, &discovered).ok());
  EXPECT_FALSE(PopulateTarget(c, "", {}, &discovered).ok());
  auto bad = PopulateTarget(c, "h:1", {{"__scrape_timeout__", "20s"}}, &discovered);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "scrape timeout cannot be greater than scrape interval (\"20s\" > \"15s\")");
}

TEST(ScrapeTargetTest, OffsetsSpreadTargetsOverTheInterval) {
  const int64_t interval = 15'000;
  for (uint64_t hash : {0ull, 1ull, 7'777ull, 123'456'789ull}) {
    for (int64_t now : {0ll, 1'000ll, 1'700'000'000'123ll}) {
      const int64_t d = FirstScrapeDelayMs(hash, 42, interval, now);
      EXPECT_GE(d, 0);
      EXPECT_LE(d, interval);
      // The slot is fixed in absolute time: (now + delay) mod interval is the hash's offset.
      EXPECT_EQ((now + d) % interval, int64_t((hash ^ 42) % interval));
    }
  }
}

TEST(FileSdTest, ParsesJsonAndYaml) {
  auto json = ParseFileSd(R"([{"targets": ["a:1", "b:2"], "labels": {"env": "x"}}, {"targets": []}])", "f.json");
  ASSERT_TRUE(json.ok());
  ASSERT_EQ(json->size(), 2u);
  EXPECT_EQ((*json)[0].targets, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ((*json)[0].labels,
            (std::vector<std::pair<std::string, std::string>>{{"env", "x"}, {"__meta_filepath", "f.json"}}));
  auto yaml = ParseFileSd("- targets: ['c:3']\n  labels:\n    team: y\n", "f.yml");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ((*yaml)[0].targets, (std::vector<std::string>{"c:3"}));
  EXPECT_FALSE(ParseFileSd("- targets: ['c:3']\n  lables: {}\n", "f.yml").ok());
  EXPECT_FALSE(ParseFileSd("{\"targets\": []}", "f.json").ok());
}

// Invariants file_sd_fuzz checks: as in Prometheus, an empty label name refuses the file, and a
// __meta_filepath the file sets is replaced by the real path instead of appearing twice.
TEST(FileSdTest, LabelNamesAsPrometheusChecksThem) {
  auto empty = ParseFileSd("- targets: [a:1]\n  labels:\n    \"\": x\n", "f.yml");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("\"\" is not a valid label name"), std::string::npos);
  auto meta = ParseFileSd("- targets: [a:1]\n  labels: {__meta_filepath: /x.yml, b: c}\n", "f.yml");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ((*meta)[0].labels,
            (std::vector<std::pair<std::string, std::string>>{{"b", "c"}, {"__meta_filepath", "f.yml"}}));
  EXPECT_TRUE(ParseFileSd("[{\"targets\": [\"a:1\"], \"labels\": {\"service.name\": \"x\"}}]", "f.json").ok());
}

}  // namespace
}  // namespace tidemark::ingest::scrape

namespace tidemark::ingest::scrape {
namespace {

TEST(FileSdTest, WatcherRereadsChangedFiles) {
  const std::string dir = ::testing::TempDir() + "/file_sd_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
  };
  write("a.json", R"([{"targets": ["a:1"]}])");
  FileSdConfig cfg;
  cfg.files = {dir + "/*.json"};
  cfg.refresh_interval_ms = 1'000'000;
  FileSdWatcher w(cfg);
  std::vector<std::string> errors;
  EXPECT_TRUE(w.Refresh(0, &errors));
  ASSERT_EQ(w.Groups().size(), 1u);
  EXPECT_FALSE(w.Refresh(1, &errors));  // nothing changed
  write("a.json", R"([{"targets": ["a:1", "a:2"]}])");
  EXPECT_TRUE(w.Refresh(2, &errors));
  EXPECT_EQ(w.Groups()[0].targets, (std::vector<std::string>{"a:1", "a:2"}));
  write("b.json", "not json [");
  EXPECT_FALSE(w.Refresh(3, &errors));  // a bad new file adds nothing and is reported
  EXPECT_EQ(errors.size(), 1u);
  std::filesystem::remove(dir + "/a.json");
  EXPECT_TRUE(w.Refresh(4, &errors));
  EXPECT_TRUE(w.Groups().empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tidemark::ingest::scrape
