// The web UI's routes over a fake asset set: index.html at "/" and every page path, hashed assets
// with their content type and long cache lifetime, 404 for unknown assets, the answer of a build
// without the UI, serving under a route prefix, and basic auth in front of all of it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http_test_util.h"
#include "support/status_matchers.h"
#include "tidemark/http/web_config.h"
#include "tidemark/storage/storage.h"

namespace tidemark::http {
namespace {

using testing::Get;
using testing::Reply;
using testing::Request;
using testing::TestServer;

constexpr UiAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", "<!doctype html><title>ui</title>", false},
    {"assets/main-ABC123.js", "text/javascript; charset=utf-8", "console.log(1)", true},
    {"assets/main-DEF456.css", "text/css; charset=utf-8", "body{}", true},
};

class UiRoutesTest : public ::testing::Test {
 protected:
  ApiBackends Backends(std::span<const UiAsset> assets) {
    ApiBackends b;
    b.storage = storage_.get();
    b.ui_assets = assets;
    return b;
  }
  std::unique_ptr<Storage> storage_ = NewMemStorage();
};

TEST_F(UiRoutesTest, IndexAtRootAndEveryPage) {
  TestServer s(Backends(kAssets));
  std::vector<std::string> paths = {"/", "/graph?g0.expr=up&g0.tab=1"};
  for (std::string_view p : kUiPages) paths.emplace_back(p);
  for (const std::string& p : paths) {
    Reply r = Get(s.port(), p);
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8") << p;
    EXPECT_EQ(r.headers["cache-control"], "no-cache") << p;
    EXPECT_EQ(r.body, kAssets[0].data) << p;
  }
  EXPECT_EQ(Get(s.port(), "/nosuchpage").status, 404);
}

TEST_F(UiRoutesTest, HashedAssetsWithTypeAndLongCache) {
  TestServer s(Backends(kAssets));
  for (const UiAsset& a : std::span(kAssets).subspan(1)) {
    Reply r = Get(s.port(), "/" + std::string(a.path));
    EXPECT_EQ(r.status, 200) << a.path;
    EXPECT_EQ(r.headers["content-type"], a.content_type) << a.path;
    EXPECT_EQ(r.headers["cache-control"], "public, max-age=31536000, immutable") << a.path;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff") << a.path;
    EXPECT_EQ(r.body, a.data) << a.path;
  }
  Reply missing = Get(s.port(), "/assets/main-OLD000.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], "text/plain; charset=utf-8");
  // index.html is a page, not an asset.
  EXPECT_EQ(Get(s.port(), "/assets/index.html").status, 404);
}

TEST_F(UiRoutesTest, BuildWithoutUiSaysSo) {
  TestServer s(Backends({}));
  Reply r = Get(s.port(), "/graph");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("without the web UI"), std::string::npos) << r.body;
  EXPECT_EQ(Get(s.port(), "/api/v1/status/buildinfo").status, 200);
}

TEST_F(UiRoutesTest, RoutePrefixMovesUiAndApi) {
  ServerOptions o;
  o.route_prefix = "/prom";
  TestServer s(Backends(kAssets), o);
  EXPECT_EQ(Get(s.port(), "/prom/").body, kAssets[0].data);
  EXPECT_EQ(Get(s.port(), "/prom/graph?g0.expr=up").body, kAssets[0].data);
  EXPECT_EQ(Get(s.port(), "/prom/assets/main-ABC123.js").body, kAssets[1].data);
  EXPECT_EQ(Get(s.port(), "/prom/api/v1/status/buildinfo").status, 200);
  Reply bare = Get(s.port(), "/prom");
  EXPECT_EQ(bare.status, 302);
  EXPECT_EQ(bare.headers["location"], "/prom/");
  for (const char* outside : {"/", "/graph", "/api/v1/status/buildinfo", "/prometheus/graph"}) {
    EXPECT_EQ(Get(s.port(), outside).status, 404) << outside;
  }
}

TEST_F(UiRoutesTest, BasicAuthGuardsTheUi) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tm_ui_auth_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "web.yml").string();
  std::ofstream(file) << "basic_auth_users:\n  alice: \"" << testing::Bcrypt("open sesame") << "\"\n";
  Logger log(stderr, LogLevel::kError);
  auto web = WebConfigWatcher::Open(file, &log);
  ASSERT_OK(web.status());
  ServerOptions o;
  o.web = web->get();
  {
    TestServer s(Backends(kAssets), o);
    for (const char* p : {"/", "/graph", "/assets/main-ABC123.js"}) {
      EXPECT_EQ(Get(s.port(), p).status, 401) << p;
      Reply ok = Request(s.port(), "GET", p, "", {"Authorization: Basic YWxpY2U6b3BlbiBzZXNhbWU="});
      EXPECT_EQ(ok.status, 200) << p;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tidemark::http
