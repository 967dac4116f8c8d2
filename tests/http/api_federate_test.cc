// /federate and the /api/v1/read route over an in-memory store. Federation reads "now - lookback
// .. now" from the wall clock, so the data sits one minute (and, to be excluded, ten minutes) in
// the past: far from either edge of the 5-minute window.
#include <gtest/gtest.h>

#include <chrono>

#include "http_test_util.h"
#include "support/compress.h"
#include "support/pb_encoder.h"
#include "support/status_matchers.h"
#include "tidemark/ingest/remote_read.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using testing::Get;
using testing::Request;

class LabelsControl : public ServerControl {
 public:
  Status Reload() override { return Status::OK(); }
  bool Ready() override { return true; }
  std::string ConfigYaml() override { return ""; }
  std::vector<std::pair<std::string, std::string>> Flags() override { return {}; }
  std::string StorageRetention() override { return ""; }
  Labels ExternalLabels() override { return external; }
  Labels external;
};

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ApiFederateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = storage_->NewAppender();
    auto add = [&](Labels l, int64_t t, double v) { ASSERT_TRUE(app->Append(0, l, {0, t, v}).ok()); };
    add({{"__name__", "b_metric"}, {"job", "x"}}, t_ - 1000, 1);
    add({{"__name__", "b_metric"}, {"job", "x"}}, t_, 2.5);
    add({{"__name__", "a_metric"}, {"Zone", "z"}, {"job", "y"}, {"zone", "own"}}, t_, 1e-7);
    add({{"__name__", "a_metric"}, {"job", "x"}, {"instance", "i:1"}}, t_, -0.0);
    add({{"__name__", "stale_metric"}, {"job", "x"}}, t_ - 1000, 3);
    add({{"__name__", "stale_metric"}, {"job", "x"}}, t_, StaleNaN());
    add({{"__name__", "old_metric"}, {"job", "x"}}, WallMs() - 10 * 60'000, 4);
    ASSERT_OK(app->Commit());
    control_.external = Labels{{"zone", "eu"}, {"dc", "d1"}};
  }

  ApiBackends Backends() {
    ApiBackends b;
    b.storage = storage_.get();
    b.control = &control_;
    b.remote_reader = &reader_;
    return b;
  }

  const int64_t t_ = WallMs() - 60'000;
  std::unique_ptr<Storage> storage_ = NewMemStorage();
  LabelsControl control_;
  ingest::RemoteReader reader_{*storage_, ingest::RemoteReadOptions{}};
};

TEST_F(ApiFederateTest, LatestSamplesInTheTextFormatWithExternalLabels) {
  testing::TestServer s(Backends());
  auto r = Get(s.port(), "/federate?match[]=%7Bjob%3D~%22.%2B%22%7D&match[]=b_metric");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string t = std::to_string(t_);
  EXPECT_EQ(r.body,
            "# TYPE a_metric untyped\n"
            "a_metric{Zone=\"z\",job=\"y\",zone=\"own\",dc=\"d1\",instance=\"\"} 1e-07 " + t + "\n"
            "a_metric{instance=\"i:1\",job=\"x\",dc=\"d1\",zone=\"eu\"} 0 " + t + "\n"
            "# TYPE b_metric untyped\n"
            "b_metric{job=\"x\",dc=\"d1\",instance=\"\",zone=\"eu\"} 2.5 " + t + "\n");
}

TEST_F(ApiFederateTest, NoMatchIsEmptyAndBadSelectorsArePlain400s) {
  testing::TestServer s(Backends());
  auto none = Get(s.port(), "/federate");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "");
  auto bad = Get(s.port(), "/federate?match[]=a-b");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.headers["content-type"], "text/plain; charset=utf-8");
  EXPECT_NE(bad.body.find("parse error"), std::string::npos) << bad.body;
  EXPECT_EQ(Get(s.port(), "/federate?match[]=stale_metric&match[]=old_metric").body, "");
}

TEST_F(ApiFederateTest, RemoteReadRouteAnswersFromTheReader) {
  testing::TestServer s(Backends());
  using ingest::testing::PbWriter;
  PbWriter q;
  q.Varint(1, static_cast<uint64_t>(t_ - 5000)).Varint(2, static_cast<uint64_t>(t_));
  q.Message(3, PbWriter().Varint(1, 0).Bytes(2, "__name__").Bytes(3, "b_metric"));
  PbWriter req;
  req.Message(1, q).Varint(2, 1);
  auto r = Request(s.port(), "POST", "/api/v1/read", tidemark::testing::Snappy(req.str()),
                   {"Content-Type: application/x-protobuf", "Content-Encoding: snappy"});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
  EXPECT_NE(r.body.find("eu"), std::string::npos) << "external labels reach the reader";
  auto bad = Request(s.port(), "POST", "/api/v1/read", "garbage");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "snappy: corrupt block\n");
}

}  // namespace
}  // namespace tidemark::http
