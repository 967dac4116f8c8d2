// The outgoing HTTP client (httpclient) against a loopback keep-alive server: requests per
// second and client CPU per request, plain vs TLS, each with a fresh connection per request
// (Connection: close) and with one kept-alive connection (httpclient::Session). The CPU column
// is the calling thread's CPU time, so it is the client's cost (the server runs on its own
// threads). Needs the `openssl` CLI (a private CA is made at start).
#include <benchmark/benchmark.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "alerting/test_pki.h"
#include "httpclient/keepalive_server.h"
#include "tidemark/httpclient/client.h"

namespace tidemark::httpclient {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// args: 0 = plain, 1 = TLS; 0 = a new connection per request, 1 = kept alive.
void BM_ClientRequest(benchmark::State& state) {
  std::signal(SIGPIPE, SIG_IGN);
  const bool tls = state.range(0) == 1;
  const bool reuse = state.range(1) == 1;
  const auto& pki = alerting::SharedPki();
  if (tls && !pki.ok()) {
    state.SkipWithError("openssl CLI could not make the test CA");
    return;
  }
  KeepAliveServer::Behaviour b;
  b.body = std::string(200, 'r');  // a small answer, as a remote-write receiver's
  KeepAliveServer srv(b, tls ? pki.ServerContext() : nullptr);
  ClientConfig cfg;
  if (tls) cfg.tls.ca_pem = ReadFile(pki.path("ca.crt"));
  auto client = Client::Create(cfg);
  if (!client.ok()) {
    state.SkipWithError(client.status().ToString().c_str());
    return;
  }
  Request req;
  req.url = srv.url("/api/v1/write");
  req.body = std::string(32 << 10, 'x');  // about one compressed remote-write batch
  Session session;
  for (auto _ : state) {
    auto r = (*client)->Do(req, reuse ? &session : nullptr);
    if (!r.ok() || r->status != 200) {
      state.SkipWithError(r.ok() ? "unexpected status" : r.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = srv.accepted();
}
BENCHMARK(BM_ClientRequest)
    ->ArgNames({"tls", "reuse"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tidemark::httpclient

BENCHMARK_MAIN();
