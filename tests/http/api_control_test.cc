// /-/reload, /-/quit, /-/ready and the status endpoints answered from a ServerControl.
#include <gtest/gtest.h>

#include "http_test_util.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using testing::Get;
using testing::Request;

class ScriptedControl : public ServerControl {
 public:
  Status Reload() override {
    ++reloads;
    return reload_result;
  }
  bool Quit() override { return quits++ == 0; }
  bool Ready() override { return ready; }
  std::string ConfigYaml() override { return "global:\n  scrape_interval: 1m\n"; }
  std::vector<std::pair<std::string, std::string>> Flags() override {
    return {{"storage.tsdb.retention.time", "15d"}, {"log.level", "info"}};
  }
  std::string StorageRetention() override { return "15d or 1024B"; }

  Status reload_result = Status::OK();
  bool ready = true;
  int reloads = 0;
  int quits = 0;
};

TEST(ApiControlTest, LifecycleAndStatus) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  ScriptedControl control;
  ApiBackends b;
  b.storage = storage.get();
  b.control = &control;
  b.enable_lifecycle = true;
  testing::TestServer s(b);

  EXPECT_EQ(Get(s.port(), "/-/ready").status, 200);
  control.ready = false;
  auto nr = Get(s.port(), "/-/ready");
  EXPECT_EQ(nr.status, 503);
  EXPECT_EQ(nr.body, "Service Unavailable");

  auto ok = Request(s.port(), "POST", "/-/reload");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "");
  control.reload_result = Status::InvalidArgument("rules.yml:3: bad expr");
  auto bad = Request(s.port(), "PUT", "/-/reload");
  EXPECT_EQ(bad.status, 500);
  EXPECT_EQ(bad.body, "failed to reload config: rules.yml:3: bad expr\n");
  EXPECT_EQ(control.reloads, 2);

  EXPECT_EQ(Get(s.port(), "/api/v1/status/config").body,
            "{\"status\":\"success\",\"data\":{\"yaml\":\"global:\\n  scrape_interval: 1m\\n\"}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/status/flags").body,
            "{\"status\":\"success\",\"data\":{\"log.level\":\"info\","
            "\"storage.tsdb.retention.time\":\"15d\"}}");
  EXPECT_NE(Get(s.port(), "/api/v1/status/runtimeinfo")
                .body.find("\"storageRetention\":\"15d or 1024B\""),
            std::string::npos);
}

// Prometheus' answers with and without --web.enable-lifecycle.
TEST(ApiControlTest, LifecycleSwitch) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  ScriptedControl control;
  ApiBackends b;
  b.storage = storage.get();
  b.control = &control;
  {
    testing::TestServer off(b);
    for (const char* path : {"/-/reload", "/-/quit"}) {
      for (const char* method : {"POST", "PUT"}) {
        auto r = Request(off.port(), method, path);
        EXPECT_EQ(r.status, 403) << method << " " << path;
        EXPECT_EQ(r.body, "Lifecycle API is not enabled.");
      }
      auto g = Get(off.port(), path);
      EXPECT_EQ(g.status, 405) << path;
      EXPECT_EQ(g.body, "Only POST or PUT requests allowed");
    }
    EXPECT_EQ(control.reloads, 0);
    EXPECT_EQ(control.quits, 0);
  }
  b.enable_lifecycle = true;
  testing::TestServer on(b);
  auto first = Request(on.port(), "POST", "/-/quit");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "Requesting termination... Goodbye!");
  auto again = Request(on.port(), "PUT", "/-/quit");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "Termination already in progress.");
  EXPECT_EQ(control.quits, 2);
}

TEST(ApiControlTest, DefaultsWithoutControl) {
  std::unique_ptr<Storage> storage = NewMemStorage();
  ApiBackends b;
  b.storage = storage.get();
  b.enable_lifecycle = true;
  testing::TestServer s(b);
  EXPECT_EQ(Get(s.port(), "/-/ready").status, 200);
  EXPECT_EQ(Request(s.port(), "POST", "/-/reload").status, 200);
  EXPECT_EQ(Get(s.port(), "/api/v1/status/config").body,
            "{\"status\":\"success\",\"data\":{\"yaml\":\"\"}}");
  EXPECT_EQ(Get(s.port(), "/api/v1/status/flags").body, "{\"status\":\"success\",\"data\":{}}");
}

}  // namespace
}  // namespace tidemark::http
