// Query-path memory and CPU on the real store: builds a node-exporter-like TsdbStorage in a temp
// dir (the e2e benchmark's data generator, all of it in the head as in the e2e run), then runs
// the e2e harness' instant count over every series and dashboard range queries through the
// engine, reporting per query the peak-RSS increase (VmHWM reset through /proc/self/clear_refs)
// and CPU seconds.
//
// Usage: query_memory_bench [--series N] [--minutes M] [--repeats R] [--only NAME]
// Not a Google Benchmark: a peak is per process, so each query's peak is measured on its own.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "node_data.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/storage.h"
#include "../storage/tsdb_bench_util.h"

namespace tidemark::bench {
namespace {

struct Query {
  const char* name;
  const char* expr;
  bool instant;
};

// The e2e harness' visibility check, then dashboard queries of bench/e2e/queries.py.
const Query kQueries[] = {
    {"count_all", "count({__name__=~\".+\"})", true},
    {"cpu_busy_by_instance", "sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))",
     false},
    {"latency_p99",
     "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
     false},
    {"error_ratio",
     "sum(rate(http_requests_total{code=\"500\"}[5m])) / sum(rate(http_requests_total[5m]))",
     false},
    {"up_count_by_job", "count by (job) (up)", false},
    {"mem_used_pct_by_region",
     "avg by (region) (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100",
     false},
    {"temp_quantile_over_time", "quantile_over_time(0.9, node_hwmon_temp_celsius[10m])", false},
};

uint64_t StatusKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::strtoull(line.c_str() + n + 1, nullptr, 10);
    }
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false if not permitted.
bool ResetPeak() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int Run(int argc, char** argv) {
  int64_t series = 100000, minutes = 30, repeats = 3;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--series") series = std::atoll(argv[i + 1]);
    else if (a == "--minutes") minutes = std::atoll(argv[i + 1]);
    else if (a == "--repeats") repeats = std::atoll(argv[i + 1]);
    else if (a == "--only") only = argv[i + 1];
  }
  BenchDir dir;
  StorageOptions o;
  o.dir = dir.path();
  o.retention_ms = 0;
  auto opened = Storage::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Storage> db = std::move(opened).value();

  const int64_t start_ms = 1'795'926'000'000;
  e2e::NodeDataOptions no;
  no.num_series = series;
  no.start_ms = start_ms;
  e2e::NodeDataGenerator gen(no);
  std::vector<Labels> labels;
  labels.reserve(static_cast<size_t>(series));
  for (int64_t s = 0; s < series; ++s) {
    std::vector<Label> l;
    for (const auto& [n, v] : gen.labels(s)) l.push_back({n, v});
    labels.emplace_back(std::move(l));
  }
  std::vector<SeriesRef> refs(static_cast<size_t>(series), 0);
  const int64_t steps = minutes * 60 / 15;
  const double cpu_ingest0 = CpuSeconds();
  int64_t last_t = 0;
  {
    auto app = db->NewAppender();
    size_t staged = 0;
    for (int64_t step = 0; step < steps; ++step) {
      gen.NextStep([&](int64_t s, int64_t t, double v) {
        auto r = app->Append(refs[s], labels[s], {0, t, v});
        if (r.ok()) refs[s] = *r;
        last_t = std::max(last_t, t);
        if (++staged == 2000) {
          if (!app->Commit().ok()) std::abort();
          app = db->NewAppender();
          staged = 0;
        }
      });
    }
    if (!app->Commit().ok()) std::abort();
  }
  labels.clear();
  labels.shrink_to_fit();
  std::printf("ingest: %lld series x %lld steps, %.1f CPU s, RSS %llu MiB, VmHWM %llu MiB\n",
              static_cast<long long>(series), static_cast<long long>(steps),
              CpuSeconds() - cpu_ingest0,
              static_cast<unsigned long long>(StatusKiB("VmRSS") / 1024),
              static_cast<unsigned long long>(StatusKiB("VmHWM") / 1024));

  query::Engine engine(*db, query::EngineOptions{});
  const int64_t end_s = last_t / 1000 / 15 * 15;
  const int64_t start_s = (start_ms / 1000 + 14) / 15 * 15;
  std::printf("%-26s %10s %10s %10s %10s %8s\n", "query", "rss MiB", "peak +MiB", "after +MiB",
              "CPU ms", "result");
  for (const Query& q : kQueries) {
    if (!only.empty() && only != q.name) continue;
    std::vector<double> cpu;
    uint64_t peak_delta = 0, rss_before = 0, after_delta = 0;
    size_t result_size = 0;
    for (int64_t r = 0; r < repeats; ++r) {
      malloc_trim(0);
      rss_before = StatusKiB("VmRSS");
      const bool reset = ResetPeak();
      const double c0 = CpuSeconds();
      auto res = q.instant ? engine.InstantQuery(q.expr, end_s * 1000)
                           : engine.RangeQuery(q.expr, start_s * 1000, end_s * 1000, 15000);
      cpu.push_back(CpuSeconds() - c0);
      if (!res.ok()) {
        std::fprintf(stderr, "%s: %s\n", q.name, res.status().ToString().c_str());
        return 1;
      }
      result_size = q.instant ? res->vector.size() : res->matrix.size();
      if (q.instant && res->vector.size() == 1) result_size = static_cast<size_t>(res->vector[0].v);
      const uint64_t hwm = StatusKiB("VmHWM");
      after_delta = StatusKiB("VmRSS") - std::min(StatusKiB("VmRSS"), rss_before);
      if (reset) peak_delta = std::max(peak_delta, hwm - std::min(hwm, rss_before));
    }
    std::sort(cpu.begin(), cpu.end());
    std::printf("%-26s %10.1f %10.1f %10.1f %10.1f %8zu\n", q.name, rss_before / 1024.0,
                peak_delta / 1024.0, after_delta / 1024.0, cpu[cpu.size() / 2] * 1000,
                result_size);
  }
  (void)db->Close();
  return 0;
}

}  // namespace
}  // namespace tidemark::bench

int main(int argc, char** argv) { return tidemark::bench::Run(argc, argv); }
