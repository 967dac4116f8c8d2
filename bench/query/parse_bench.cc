// Parser throughput on typical Grafana dashboard queries (parse only, and parse + FormatExpr).
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "tidemark/query/ast.h"

namespace {

const std::vector<std::string>& DashboardQueries() {
  static const std::vector<std::string> kQueries = {
      R"(sum by (job) (rate(http_requests_total{job=~"$job", instance=~"$instance"}[5m])))",
      R"(histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket{job="api"}[5m]))))",
      R"(100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))))",
      R"(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10)",
      R"(sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > bool 0.05)",
      R"(topk(10, sum by (pod) (container_memory_working_set_bytes{namespace="prod", container!=""})))",
      R"(max_over_time(up{job="node"}[1h] offset 1d) unless on (instance) up{job="node"} == 1)",
      R"(predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}[6h], 4 * 3600) < 0)",
      R"(label_replace(rate(process_cpu_seconds_total[5m]), "host", "$1", "instance", "([^:]+):.*"))",
      R"(avg_over_time(sum by (service) (rate(requests_total[1m]))[1h:1m]) * on (service) group_left (team) service_owner)",
  };
  return kQueries;
}

void BM_ParseDashboardQueries(benchmark::State& state) {
  const auto& qs = DashboardQueries();
  size_t bytes = 0;
  for (const auto& q : qs) bytes += q.size();
  for (auto _ : state) {
    for (const auto& q : qs) {
      auto r = tidemark::query::ParseExpr(q);
      if (!r.ok()) state.SkipWithError(r.status().message().c_str());
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(qs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ParseDashboardQueries);

void BM_ParseAndFormat(benchmark::State& state) {
  const auto& qs = DashboardQueries();
  for (auto _ : state) {
    for (const auto& q : qs) {
      auto r = tidemark::query::ParseExpr(q);
      if (!r.ok()) state.SkipWithError(r.status().message().c_str());
      std::string s = tidemark::query::FormatExpr(**r);
      benchmark::DoNotOptimize(s);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(qs.size()));
}
BENCHMARK(BM_ParseAndFormat);

}  // namespace

BENCHMARK_MAIN();
