// The remote-write sender against a capture HTTP server and a real store: batching, order per
// series across shards, Prometheus' retry rules (5xx backoff, 429 + Retry-After, 4xx dropped),
// the durable cursor (resume without re-sending) and max_backlog_age. Backoff runs on a fake
// clock: no test waits for a backoff in real time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "alerting/capture_server.h"
#include "compression.h"
#include "remote_write_decode.h"
#include "storage/storage_test_util.h"
#include "tidemark/ingest/remote_write_sender.h"

namespace tidemark::ingest {
namespace {

using alerting::CaptureServer;
using testing::TempDir;

// Time moves only by the sender's own sleeps; every sleep is recorded.
class FakeSenderClock : public SenderClock {
 public:
  explicit FakeSenderClock(int64_t now) : now_(now) {}
  int64_t NowMs() const override { return now_.load(); }
  void Sleep(int64_t ms, const std::atomic<bool>&) override {
    std::lock_guard l(mu_);
    sleeps_.push_back(ms);
    now_ += ms;
  }
  std::vector<int64_t> sleeps() {
    std::lock_guard l(mu_);
    return sleeps_;
  }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

struct Got {
  std::string series;  // labels as text
  Timestamp t;
  double v;
};

// Every sample of every acknowledged request (remote-write 2.0 with `v2`), in arrival order,
// plus per-request sizes.
std::vector<Got> Decode(const std::vector<CaptureServer::Request>& reqs, std::vector<size_t>* sizes,
                        bool v2 = false) {
  std::vector<Got> out;
  for (const auto& r : reqs) {
    std::string raw;
    EXPECT_TRUE(SnappyDecompress(r.body, 64 << 20, &raw).ok());
    struct V {
      std::vector<Got>* out;
      size_t n = 0;
      void OnSeries(const SeriesView& s) {
        std::string name;
        for (const auto& l : s.labels) name += std::string(l.name) + "=" + std::string(l.value) + ",";
        for (const auto& x : s.samples) out->push_back({name, x.t, x.v});
        n += s.samples.size();
      }
      void OnMetadata(const MetadataView&) {}
    } v{&out};
    DecodeScratch scratch;
    EXPECT_TRUE((v2 ? DecodeRemoteWriteV2(raw, scratch, v) : DecodeRemoteWriteV1(raw, scratch, v)).ok());
    if (sizes) sizes->push_back(v.n);
  }
  return out;
}

constexpr int64_t kNow = 1'700'000'000'000;

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    auto s = Storage::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  RemoteWriteConfig Config(const CaptureServer& srv) {
    RemoteWriteConfig c;
    c.url = srv.url("/api/v1/write");
    c.name = "test";
    c.queue.max_samples_per_send = 7;
    c.queue.batch_send_deadline_ms = 20;
    c.queue.min_shards = 2;
    c.queue.max_shards = 2;
    c.remote_timeout_ms = 5000;
    return c;
  }
  // `n` commits, each with one sample of each of `series` series.
  void Write(int series, int n, Timestamp t0) {
    for (int i = 0; i < n; ++i) {
      auto app = store_->NewAppender();
      for (int s = 0; s < series; ++s) {
        Labels l{{"__name__", "m"}, {"s", std::to_string(s)}};
        ASSERT_TRUE(app->Append(0, l, SampleIn{0, t0 + i * 1000, double(s * 1000 + i)}).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  // Waits (bounded) for the server to have acknowledged `n` samples.
  std::vector<Got> WaitSamples(CaptureServer& srv, size_t n, std::vector<size_t>* sizes = nullptr) {
    std::vector<Got> got;
    for (int i = 0; i < 1000; ++i) {
      std::vector<size_t> sz;
      got = Decode(srv.requests(), &sz);
      if (got.size() >= n) {
        if (sizes) *sizes = sz;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return got;
  }

  // The sender's status once `done` holds for it (bounded wait: the server may have a batch
  // before the sender has read its answer).
  template <typename Pred>
  RemoteWriteEndpointStatus StatusWhen(RemoteWriteSender& sender, Pred done) {
    RemoteWriteEndpointStatus st;
    for (int i = 0; i < 2000; ++i) {
      st = sender.Statuses()[0];
      if (done(st)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return st;
  }

  TempDir dir_;
  std::unique_ptr<Storage> store_;
  MetricsRegistry metrics_;
  FakeSenderClock clock_{kNow};
};

TEST_F(SenderTest, BatchesKeepOrderPerSeriesAcrossShards) {
  CaptureServer srv;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({Config(srv)}, {}).ok());
  Write(5, 20, kNow);
  std::vector<size_t> sizes;
  auto got = WaitSamples(srv, 100, &sizes);
  ASSERT_EQ(got.size(), 100u);
  for (size_t n : sizes) EXPECT_LE(n, 7u);
  std::map<std::string, std::vector<Got>> per;
  for (const auto& g : got) per[g.series].push_back(g);
  ASSERT_EQ(per.size(), 5u);
  for (const auto& [name, v] : per) {
    ASSERT_EQ(v.size(), 20u) << name;
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].t, kNow + int64_t(i) * 1000) << name;
  }
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  EXPECT_EQ(st.shards, 2);
  EXPECT_EQ(st.samples_sent, 100);
  EXPECT_EQ(st.cursor, last);
  EXPECT_NE(metrics_.Expose().find("prometheus_remote_storage_samples_total{remote_name=\"test\""),
            std::string::npos);
}

TEST_F(SenderTest, ServerErrorsAreRetriedWithExponentialBackoff) {
  CaptureServer srv;
  srv.set_script({503, 500, 503, 502, 503});
  auto c = Config(srv);
  c.queue.min_shards = c.queue.max_shards = 1;
  c.queue.min_backoff_ms = 30;
  c.queue.max_backoff_ms = 100;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(1, 3, kNow);
  auto got = WaitSamples(srv, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(clock_.sleeps(), (std::vector<int64_t>{30, 60, 100, 100, 100}));
  auto st = StatusWhen(sender, [](const auto& s) { return s.samples_sent == 3; });
  EXPECT_EQ(st.samples_sent, 3);
  EXPECT_GE(st.samples_retried, 5);
  EXPECT_EQ(st.samples_failed, 0);
}

TEST_F(SenderTest, ClientErrorsAreDroppedAndCounted) {
  CaptureServer srv;
  srv.set_script({400});
  auto c = Config(srv);
  c.queue.min_shards = c.queue.max_shards = 1;
  c.queue.max_samples_per_send = 2;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(1, 4, kNow);
  auto got = WaitSamples(srv, 2);
  ASSERT_EQ(got.size(), 2u);  // the first batch of 2 was refused for good
  EXPECT_EQ(got[0].t, kNow + 2000);
  EXPECT_TRUE(clock_.sleeps().empty());
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  EXPECT_EQ(st.samples_failed, 2);
  EXPECT_EQ(st.samples_sent, 2);
  EXPECT_EQ(st.cursor, store_->Commits()->LastSeq());
}

TEST_F(SenderTest, RemoteWrite2IsSentAndItsWrittenCountsAreRead) {
  CaptureServer srv;
  srv.set_answer_headers("X-Prometheus-Remote-Write-Samples-Written: 7\r\n");  // = max_samples_per_send
  auto c = Config(srv);
  c.write_v2 = true;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(3, 10, kNow);
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  EXPECT_EQ(st.samples_sent, 30);
  EXPECT_EQ(st.samples_failed, 0);
  auto reqs = srv.requests();
  ASSERT_FALSE(reqs.empty());
  for (const auto& r : reqs) {
    EXPECT_NE(r.headers.find("Content-Type: application/x-protobuf;proto=io.prometheus.write.v2.Request\r\n"),
              std::string::npos) << r.headers;
    EXPECT_NE(r.headers.find("X-Prometheus-Remote-Write-Version: 2.0.0\r\n"), std::string::npos) << r.headers;
  }
  auto got = Decode(reqs, nullptr, /*v2=*/true);
  ASSERT_EQ(got.size(), 30u);
  std::map<std::string, std::vector<Got>> per;
  for (const auto& g : got) per[g.series].push_back(g);
  ASSERT_EQ(per.size(), 3u);
  for (const auto& [name, v] : per) {
    ASSERT_EQ(v.size(), 10u) << name;
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].t, kNow + int64_t(i) * 1000) << name;
  }
}

TEST_F(SenderTest, RemoteWrite2AnswerConfirmingNothingFailsTheBatch) {
  CaptureServer srv;  // a 2xx without the 2.0 written headers: a 1.0-only receiver
  auto c = Config(srv);
  c.write_v2 = true;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(2, 5, kNow);
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  EXPECT_EQ(st.samples_failed, 10);
  EXPECT_EQ(st.samples_sent, 0);
  EXPECT_NE(st.last_error.find("no sample was written"), std::string::npos) << st.last_error;
  EXPECT_TRUE(clock_.sleeps().empty());  // not retried
}

TEST_F(SenderTest, FewerSamplesWrittenThanSentCountsTheRestAsFailed) {
  CaptureServer srv;
  srv.set_answer_headers("X-Prometheus-Remote-Write-Samples-Written: 1\r\n");
  auto c = Config(srv);  // remote-write 1.0: the header is read as well when present
  c.queue.min_shards = c.queue.max_shards = 1;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(1, 6, kNow);
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  const double requests = static_cast<double>(srv.requests().size());
  EXPECT_EQ(st.samples_sent, 6);
  EXPECT_EQ(st.samples_failed, 6 - requests);
}

TEST_F(SenderTest, TooManyRequestsHonoursRetryAfterOnlyWhenAsked) {
  for (bool retry : {true, false}) {
    SCOPED_TRACE(retry);
    TempDir dir;
    StorageOptions o;
    o.dir = dir.path();
    o.retention_ms = 0;
    auto store = Storage::Open(o);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    CaptureServer srv;
    srv.set_script({429});
    srv.set_retry_after("7");
    FakeSenderClock clock(kNow);
    MetricsRegistry metrics;
    auto c = Config(srv);
    c.queue.min_shards = c.queue.max_shards = 1;
    c.queue.retry_on_http_429 = retry;
    RemoteWriteSender sender(*store_, metrics, clock);
    ASSERT_TRUE(sender.Apply({c}, {}).ok());
    Write(1, 1, kNow);
    for (int i = 0; i < 1000 && srv.hits() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Write(1, 1, kNow + 60'000);  // after the 429: the drop case then delivers only this one
    auto got = WaitSamples(srv, retry ? 2 : 1);
    if (retry) {
      ASSERT_EQ(got.size(), 2u);
      ASSERT_FALSE(clock.sleeps().empty());
      EXPECT_EQ(clock.sleeps()[0], 7000);
    } else {
      ASSERT_GE(got.size(), 1u);
      EXPECT_EQ(got.back().t, kNow + 60'000);
      EXPECT_TRUE(clock.sleeps().empty());
      EXPECT_GE(StatusWhen(sender, [](const auto& s) { return s.samples_failed >= 1; }).samples_failed, 1);
    }
    sender.Stop();
  }
}

TEST_F(SenderTest, CursorSurvivesRestartWithoutResending) {
  CaptureServer srv;
  {
    RemoteWriteSender sender(*store_, metrics_, clock_);
    ASSERT_TRUE(sender.Apply({Config(srv)}, {}).ok());
    Write(3, 5, kNow);
    ASSERT_EQ(WaitSamples(srv, 15).size(), 15u);
    const uint64_t last = store_->Commits()->LastSeq();
    ASSERT_EQ(StatusWhen(sender, [&](const auto& s) { return s.cursor == last; }).cursor, last);
  }
  Write(3, 5, kNow + 10'000);  // while no sender runs
  ASSERT_TRUE(store_->Close().ok());
  StorageOptions o;
  o.dir = dir_.path();
  o.retention_ms = 0;
  auto reopened = Storage::Open(o);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({Config(srv)}, {}).ok());
  auto got = WaitSamples(srv, 30);
  ASSERT_EQ(got.size(), 30u);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Decode(srv.requests(), nullptr).size(), 30u) << "nothing acknowledged is sent twice";
  // An endpoint removed from the config releases its cursor.
  ASSERT_TRUE(sender.Apply({}, {}).ok());
  auto readers = store_->Commits()->Readers();
  ASSERT_TRUE(readers.ok());
  EXPECT_TRUE(readers->empty());
}

TEST_F(SenderTest, CommitsOlderThanMaxBacklogAgeAreDroppedWhenRead) {
  CaptureServer srv;
  auto c = Config(srv);
  c.max_backlog_age_ms = 3600'000;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(2, 3, kNow - 2 * 3600'000);
  Write(2, 1, kNow);
  auto got = WaitSamples(srv, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].t, kNow);
  EXPECT_EQ(StatusWhen(sender, [](const auto& s) { return s.samples_dropped >= 6; }).samples_dropped, 6);
}

TEST_F(SenderTest, SamplesAgingPastMaxBacklogAgeDuringAnOutageAreDropped) {
  CaptureServer srv(503);
  auto c = Config(srv);
  c.queue.min_shards = c.queue.max_shards = 1;
  c.max_backlog_age_ms = 1000;
  c.queue.min_backoff_ms = c.queue.max_backoff_ms = 300;
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, {}).ok());
  Write(2, 1, kNow);  // one commit, one batch
  const uint64_t last = store_->Commits()->LastSeq();
  auto st = StatusWhen(sender, [&](const auto& s) { return s.cursor == last; });
  EXPECT_EQ(st.cursor, store_->Commits()->LastSeq()) << "the hold on the store is released";
  EXPECT_EQ(st.samples_dropped, 2);
  EXPECT_EQ(st.samples_sent, 0);
  EXPECT_EQ(clock_.sleeps().size(), 4u);  // 300 ms apart: the fourth passes 1 s
}

TEST_F(SenderTest, RelabelDropsAndExternalLabelsAreApplied) {
  CaptureServer srv;
  auto c = Config(srv);
  relabel::Config drop;
  drop.source_labels = {"s"};
  drop.regex = "1";
  drop.action = relabel::Action::kDrop;
  c.write_relabel_configs = {drop};
  SenderOptions so;
  so.external_labels = Labels{{"site", "eu"}, {"s", "ignored"}};
  RemoteWriteSender sender(*store_, metrics_, clock_);
  ASSERT_TRUE(sender.Apply({c}, so).ok());
  Write(3, 2, kNow);
  auto got = WaitSamples(srv, 4);
  ASSERT_EQ(got.size(), 4u);
  for (const auto& g : got) {
    EXPECT_EQ(g.series.find("s=1,"), std::string::npos);
    EXPECT_NE(g.series.find("site=eu,"), std::string::npos);
  }
  EXPECT_EQ(StatusWhen(sender, [](const auto& s) { return s.samples_dropped >= 2; }).samples_dropped, 2);
}

}  // namespace
}  // namespace tidemark::ingest
