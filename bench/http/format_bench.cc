// Rendering of range-query answers (every sample value and timestamp goes through here), the
// per-response cost a dashboard pays on top of evaluation.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>

#include "tidemark/http/format.h"

namespace tidemark::http {
namespace {

// 100 series x 241 points of node-exporter-like values: rates with many digits, whole numbers
// and small ratios.
query::QueryValue DashboardMatrix() {
  query::QueryValue v;
  v.kind = query::ValueKind::kMatrix;
  for (int s = 0; s < 100; ++s) {
    query::MatrixSeries series;
    const std::string instance = "host-" + std::to_string(s) + ":9100";
    series.metric = Labels({{"instance", instance}, {"job", "node"}});
    for (int i = 0; i < 241; ++i) {
      double x = s % 3 == 0 ? 0.0123456789 * (i + 1) + s : s % 3 == 1 ? std::floor(1e6 + i * 4096.0) : 1.0 / (i + 7);
      series.points.push_back({1796550540000 + i * 15000LL, x});
    }
    v.matrix.push_back(std::move(series));
  }
  return v;
}

void BM_QueryDataJsonMatrix(benchmark::State& state) {
  const query::QueryValue v = DashboardMatrix();
  for (auto _ : state) {
    std::string out = QueryDataJson(v);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * 100 * 241);
}
BENCHMARK(BM_QueryDataJsonMatrix);

}  // namespace
}  // namespace tidemark::http

BENCHMARK_MAIN();
