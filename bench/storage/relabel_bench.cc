// Relabel engine throughput: Relabeler::Apply on a 10-label scrape-like series with 3 typical
// rules (a regex replace, a labeldrop, a keep), the per-series cost on the scrape and
// remote-write paths. Run: build/bench/relabel_bench
#include <benchmark/benchmark.h>

#include "tidemark/storage/model/relabel.h"

namespace tidemark::relabel {
namespace {

Labels TenLabels() {
  return Labels{{"__name__", "http_requests_total"},
                {"code", "200"},
                {"handler", "/api/v1/query"},
                {"instance", "10.0.3.17:9100"},
                {"job", "node"},
                {"method", "GET"},
                {"pod", "api-7d9f8c6b5-x2kqz"},
                {"namespace", "prod"},
                {"tmp_hash", "af31"},
                {"zone", "eu-west-1b"}};
}

Relabeler ThreeRules() {
  Config host;  // instance "10.0.3.17:9100" -> host "10.0.3.17"
  host.source_labels = {"instance"};
  host.regex = "(.*):\\d+";
  host.target_label = "host";
  Config drop_tmp;
  drop_tmp.action = Action::kLabelDrop;
  drop_tmp.regex = "tmp_.*";
  Config keep_prod;
  keep_prod.action = Action::kKeep;
  keep_prod.source_labels = {"namespace", "job"};
  keep_prod.regex = "prod;.*";
  auto r = Relabeler::Compile({host, drop_tmp, keep_prod});
  return r.ok() ? *r : Relabeler();
}

void BM_Apply10Labels3Rules(benchmark::State& state) {
  const Labels in = TenLabels();
  const Relabeler rl = ThreeRules();
  {
    LabelsBuilder check(in);
    if (rl.empty() || !rl.Apply(check) || check.Build().Get("host") != "10.0.3.17" ||
        check.Build().Has("tmp_hash")) {
      state.SkipWithError("rules did not relabel as expected");
      return;
    }
  }
  for (auto _ : state) {
    LabelsBuilder lb(in);
    bool kept = rl.Apply(lb);
    Labels out = lb.Build();
    benchmark::DoNotOptimize(kept);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Apply10Labels3Rules);

}  // namespace
}  // namespace tidemark::relabel

BENCHMARK_MAIN();
