// Router matching and the gzip codec.
#include <gtest/gtest.h>

#include "tidemark/http/gzip.h"
#include "tidemark/storage/model/gzip.h"
#include "tidemark/http/request.h"
#include "tidemark/http/router.h"

namespace tidemark::http {
namespace {

TEST(RouterTest, MatchesSegmentsAndCaptures) {
  Router r;
  r.Add({{"GET"}, "/api/v1/label/:name/values", "", Pool::kQuery, false, nullptr});
  r.Add({{"GET", "POST"}, "/api/v1/query", "", Pool::kQuery, false, nullptr});
  const Route* route = nullptr;
  std::map<std::string, std::string> vars;
  EXPECT_EQ(r.Match("GET", "/api/v1/label/job/values", &route, vars), Router::MatchResult::kFound);
  EXPECT_EQ(vars["name"], "job");
  EXPECT_EQ(route->pattern, "/api/v1/label/:name/values");
  EXPECT_EQ(r.Match("POST", "/api/v1/query", &route, vars), Router::MatchResult::kFound);
  EXPECT_EQ(r.Match("DELETE", "/api/v1/query", &route, vars),
            Router::MatchResult::kMethodNotAllowed);
  EXPECT_EQ(r.Match("GET", "/api/v1/query/x", &route, vars), Router::MatchResult::kNotFound);
  EXPECT_EQ(r.Match("GET", "/api/v1/label//values", &route, vars), Router::MatchResult::kNotFound);
}

TEST(UrlTest, DecodesFormEncoding) {
  std::multimap<std::string, std::string> p;
  ParseUrlEncoded("query=sum%28rate%28x%5B5m%5D%29%29&match%5B%5D=a&match[]=b+c&flag", p);
  EXPECT_EQ(p.find("query")->second, "sum(rate(x[5m]))");
  ASSERT_EQ(p.count("match[]"), 2u);
  auto it = p.equal_range("match[]").first;
  EXPECT_EQ(it->second, "a");
  EXPECT_EQ(std::next(it)->second, "b c");
  EXPECT_EQ(p.find("flag")->second, "");
  EXPECT_EQ(UrlDecode("a%2", false), "a%2");
}

TEST(GzipTest, RoundTripAndLimits) {
  std::string big(100000, 'x');
  std::string z = GzipCompress(big);
  EXPECT_LT(z.size(), 1000u);
  std::string back;
  ASSERT_TRUE(GzipDecompress(z, 1 << 20, &back).ok());
  EXPECT_EQ(back, big);
  std::string out;
  EXPECT_EQ(GzipDecompress(z, 1000, &out).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(GzipDecompress("not gzip at all", 1000, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(GzipDecompress(z.substr(0, z.size() / 2), 1 << 20, &out).ok());
}

TEST(GzipTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip(""));
}

}  // namespace
}  // namespace tidemark::http
