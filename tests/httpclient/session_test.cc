// Connection reuse (httpclient::Session): one connection carries many requests, plain and TLS;
// `Connection: close`, unframed answers and server-closed connections open new ones; a request
// is sent again only when the server cannot have acted on it.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "alerting/test_pki.h"
#include "keepalive_server.h"
#include "support/status_matchers.h"
#include "tidemark/httpclient/client.h"

namespace tidemark::httpclient {
namespace {

using Framing = KeepAliveServer::Framing;

std::shared_ptr<const Client> NewClient(ClientConfig cfg = {}) {
  std::signal(SIGPIPE, SIG_IGN);
  auto c = Client::Create(std::move(cfg));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

Request Post(const std::string& url, const std::string& body = "payload") {
  Request r;
  r.url = url;
  r.body = body;
  return r;
}

// Sends n requests through `session` (nullptr: none) and checks every answer.
void SendN(const Client& c, const std::string& url, int n, Session* session, const std::string& want = "hello") {
  for (int i = 0; i < n; ++i) {
    auto r = c.Do(Post(url, "request " + std::to_string(i)), session);
    ASSERT_TRUE(r.ok()) << "request " << i << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, want);
  }
}

TEST(SessionTest, OneConnectionCarriesEveryRequest) {
  KeepAliveServer srv({});
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 5, &s);
  EXPECT_EQ(srv.accepted(), 1);
  EXPECT_EQ(srv.requests(), 5);
  EXPECT_EQ(s.connections_opened(), 1u);
}

TEST(SessionTest, WithoutSessionEveryRequestHasItsOwnConnection) {
  KeepAliveServer srv({});
  auto c = NewClient();
  SendN(*c, srv.url(), 3, nullptr);
  EXPECT_EQ(srv.accepted(), 3);
}

TEST(SessionTest, ChunkedAnswersKeepTheConnection) {
  KeepAliveServer::Behaviour b;
  b.framing = Framing::kChunked;
  b.body = "a chunked answer";
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 4, &s, "a chunked answer");
  EXPECT_EQ(srv.accepted(), 1);
}

TEST(SessionTest, ConnectionCloseAnswerOpensANewConnection) {
  KeepAliveServer::Behaviour b;
  b.connection_close = true;
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 3, &s);
  EXPECT_EQ(srv.accepted(), 3);
  EXPECT_EQ(s.connections_opened(), 3u);
}

TEST(SessionTest, AnswerFramedByTheEndOfTheConnectionIsReadWholeAndNotReused) {
  KeepAliveServer::Behaviour b;
  b.framing = Framing::kUntilClose;
  b.body = "until the end";
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 3, &s, "until the end");
  EXPECT_EQ(srv.accepted(), 3);
}

TEST(SessionTest, ServerClosedIdleConnectionIsReplaced) {
  KeepAliveServer srv({});
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 2, &s);
  srv.CloseIdle();
  SendN(*c, srv.url(), 2, &s);
  EXPECT_EQ(srv.accepted(), 2);
  EXPECT_EQ(srv.requests(), 4);
}

TEST(SessionTest, ServerClosingAfterAnAnswerWithoutSayingSoIsSurvived) {
  KeepAliveServer::Behaviour b;
  b.close_after = 1;
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 4, &s);
  EXPECT_EQ(srv.accepted(), 4);
  // A retry (if the close raced the next request) sends nothing twice that was answered.
  EXPECT_GE(srv.requests(), 4);
}

TEST(SessionTest, RequestClosedUnansweredOnAReusedConnectionIsSentOnceMore) {
  KeepAliveServer::Behaviour b;
  b.drop_request = 2;  // read, then the connection is closed without a byte of answer
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 2, &s);
  EXPECT_EQ(srv.accepted(), 2);
  EXPECT_EQ(srv.requests(), 3);
  EXPECT_EQ(s.connections_opened(), 2u);
}

TEST(SessionTest, RequestClosedUnansweredOnAFreshConnectionIsNotRetried) {
  KeepAliveServer::Behaviour b;
  b.drop_request = 1;
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  auto r = c->Do(Post(srv.url()), &s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(srv.accepted(), 1);
  EXPECT_EQ(srv.requests(), 1);
}

TEST(SessionTest, PartialAnswerOnAReusedConnectionIsAnErrorNotARetry) {
  KeepAliveServer::Behaviour b;
  b.partial_request = 2;
  KeepAliveServer srv(b);
  auto c = NewClient();
  Session s;
  SendN(*c, srv.url(), 1, &s);
  auto r = c->Do(Post(srv.url()), &s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(srv.accepted(), 1);
  EXPECT_EQ(srv.requests(), 2);
}

TEST(SessionTest, AnotherClientDoesNotTakeTheSessionsConnection) {
  KeepAliveServer srv({});
  auto c1 = NewClient();
  auto c2 = NewClient();
  Session s;
  SendN(*c1, srv.url(), 1, &s);
  SendN(*c2, srv.url(), 1, &s);  // other credentials/TLS settings: never on c1's connection
  SendN(*c2, srv.url(), 1, &s);
  EXPECT_EQ(srv.accepted(), 2);
}

ClientConfig TrustTestCa() {
  const auto& pki = alerting::SharedPki();
  ClientConfig cfg;
  std::ifstream f(pki.path("ca.crt"));
  std::stringstream ss;
  ss << f.rdbuf();
  cfg.tls.ca_pem = ss.str();
  return cfg;
}

TEST(SessionTest, TlsConnectionIsReusedAndReplacedWhenClosed) {
  ASSERT_TRUE(alerting::SharedPki().ok());
  KeepAliveServer srv({}, alerting::SharedPki().ServerContext());
  auto c = NewClient(TrustTestCa());
  Session s;
  SendN(*c, srv.url(), 5, &s);
  EXPECT_EQ(srv.accepted(), 1);
  srv.CloseIdle();
  SendN(*c, srv.url(), 2, &s);
  EXPECT_EQ(srv.accepted(), 2);
  EXPECT_EQ(srv.requests(), 7);
}

TEST(SessionTest, TlsRequestClosedUnansweredOnAReusedConnectionIsSentOnceMore) {
  ASSERT_TRUE(alerting::SharedPki().ok());
  KeepAliveServer::Behaviour b;
  b.drop_request = 3;
  KeepAliveServer srv(b, alerting::SharedPki().ServerContext());
  auto c = NewClient(TrustTestCa());
  Session s;
  SendN(*c, srv.url(), 4, &s);
  EXPECT_EQ(srv.accepted(), 2);
  EXPECT_EQ(srv.requests(), 5);
}

}  // namespace
}  // namespace tidemark::httpclient
