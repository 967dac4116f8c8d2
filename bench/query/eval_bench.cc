// Evaluator benchmarks: dashboard-style range queries over 10k series (data served from memory).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "tidemark/query/engine.h"
#include "tidemark/storage/querier.h"

namespace {

using tidemark::Labels;

// A read-only store over pre-generated series, so the benchmark measures the evaluator rather
// than ingestion (the in-memory Storage's append path is benchmarked elsewhere).
class FixedSeries : public tidemark::Series {
 public:
  explicit FixedSeries(const tidemark::SeriesData* d) : d_(d) {}
  const Labels& labels() const override { return d_->labels; }
  std::unique_ptr<tidemark::SeriesIterator> Iterator(
      std::unique_ptr<tidemark::SeriesIterator>) const override {
    class It : public tidemark::SeriesIterator {
     public:
      explicit It(const std::vector<tidemark::Sample>* s) : s_(s) {}
      tidemark::ValueType Next() override {
        ++i_;
        return i_ < s_->size() ? tidemark::ValueType::kFloat : tidemark::ValueType::kNone;
      }
      tidemark::ValueType Seek(tidemark::Timestamp t) override {
        if (i_ == SIZE_MAX) i_ = 0;
        while (i_ < s_->size() && (*s_)[i_].t < t) ++i_;
        return i_ < s_->size() ? tidemark::ValueType::kFloat : tidemark::ValueType::kNone;
      }
      tidemark::Sample At() const override { return (*s_)[i_]; }

     private:
      const std::vector<tidemark::Sample>* s_;
      size_t i_ = SIZE_MAX;
    };
    return std::make_unique<It>(&d_->samples);
  }

 private:
  const tidemark::SeriesData* d_;
};

class FixedStore : public tidemark::Queryable {
 public:
  std::vector<tidemark::SeriesData> data;
  tidemark::Result<std::unique_ptr<tidemark::Querier>> NewQuerier(tidemark::Timestamp,
                                                                  tidemark::Timestamp) override {
    class Q : public tidemark::Querier {
     public:
      explicit Q(const std::vector<tidemark::SeriesData>* d) : d_(d) {}
      tidemark::Result<std::unique_ptr<tidemark::SeriesSet>> Select(
          bool, const tidemark::SelectHints*, const tidemark::Matchers& m) override {
        class Set : public tidemark::SeriesSet {
         public:
          std::vector<FixedSeries> s;
          size_t i = SIZE_MAX;
          bool Next() override { return ++i < s.size(); }
          const tidemark::Series& At() const override { return s[i]; }
        };
        auto set = std::make_unique<Set>();
        for (const auto& sd : *d_) {
          if (tidemark::MatchesAll(sd.labels, m)) set->s.emplace_back(&sd);
        }
        return std::unique_ptr<tidemark::SeriesSet>(std::move(set));
      }
      tidemark::Result<std::vector<std::string>> LabelNames(const tidemark::Matchers&) override {
        return std::vector<std::string>{};
      }
      tidemark::Result<std::vector<std::string>> LabelValues(const std::string&,
                                                             const tidemark::Matchers&) override {
        return std::vector<std::string>{};
      }

     private:
      const std::vector<tidemark::SeriesData>* d_;
    };
    return std::unique_ptr<tidemark::Querier>(std::make_unique<Q>(&data));
  }
};

constexpr int64_t kScrapeMs = 15'000;
constexpr int64_t kHourMs = 3'600'000;

// 10k counter series `x` (100 jobs × 100 instances), one sample per 15 s for 1 h.
FixedStore& CounterStore() {
  static FixedStore* store = [] {
    auto* s = new FixedStore;
    for (int job = 0; job < 100; ++job) {
      for (int inst = 0; inst < 100; ++inst) {
        tidemark::SeriesData sd;
        sd.labels = Labels{{"__name__", "x"}, {"job", "job" + std::to_string(job)},
                           {"instance", "i" + std::to_string(inst)}};
        for (int64_t t = 0; t <= kHourMs; t += kScrapeMs) {
          sd.samples.push_back({t, static_cast<double>(t / 1000 * (inst + 1))});
        }
        s->data.push_back(std::move(sd));
      }
    }
    return s;
  }();
  return *store;
}

// Classic histogram h_bucket: 100 instances × 11 buckets, 1 h at 15 s.
FixedStore& HistogramStore() {
  static FixedStore* store = [] {
    auto* s = new FixedStore;
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};
    for (int inst = 0; inst < 100; ++inst) {
      for (int b = 0; b < 11; ++b) {
        tidemark::SeriesData sd;
        sd.labels = Labels{{"__name__", "h_bucket"}, {"instance", "i" + std::to_string(inst)},
                           {"le", les[b]}};
        for (int64_t t = 0; t <= kHourMs; t += kScrapeMs) {
          sd.samples.push_back({t, static_cast<double>(t / 1000 * (b + 1))});
        }
        s->data.push_back(std::move(sd));
      }
    }
    return s;
  }();
  return *store;
}

// Gauges: 1,000 instances in 4 regions, each with mem_avail (changing) and mem_total (constant),
// 1 h at 15 s.
FixedStore& GaugeStore() {
  static FixedStore* store = [] {
    auto* s = new FixedStore;
    const char* regions[] = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1"};
    for (int inst = 0; inst < 1000; ++inst) {
      for (const char* name : {"mem_avail", "mem_total"}) {
        tidemark::SeriesData sd;
        sd.labels = Labels{{"__name__", name}, {"instance", "i" + std::to_string(inst)},
                           {"job", "node"}, {"region", regions[inst % 4]}};
        const bool total = name[4] == 't';
        for (int64_t t = 0; t <= kHourMs; t += kScrapeMs) {
          const int64_t k = (t / kScrapeMs * 7919 + inst * 104729) % 100000;
          double v = total ? 8e9 : 4e9 + static_cast<double>(k) * 4096;
          sd.samples.push_back({t, v});
        }
        s->data.push_back(std::move(sd));
      }
    }
    return s;
  }();
  return *store;
}

void RunRange(benchmark::State& state, tidemark::Queryable& store, const std::string& q,
              size_t workers = 0) {
  tidemark::query::EngineOptions options;
  options.workers_per_query = workers;
  tidemark::query::Engine engine(store, options);
  for (auto _ : state) {
    auto r = engine.RangeQuery(q, 0, kHourMs, 15'000);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

// The argument is the query's threads: 1, or 2, where grouped aggregations of range functions
// share their groups out between the query's thread and a worker.
void BM_SumByJobRate10kSeries(benchmark::State& state) {
  FixedStore& store = CounterStore();
  RunRange(state, store, "sum by (job) (rate(x[5m]))", state.range(0));
  state.counters["series"] = 10000;
  state.counters["steps"] = 241;
}
BENCHMARK(BM_SumByJobRate10kSeries)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)
    ->Iterations(5)->UseRealTime();

// Each step against the last one: the `@`-pinned side is the same at every step
// (step-invariant), so it is evaluated once.
void BM_RateAgainstPinnedEnd(benchmark::State& state) {
  FixedStore& store = CounterStore();
  RunRange(state, store, "sum by (job) (rate(x[5m])) / sum by (job) (rate(x[5m] @ end()))", 1);
  state.counters["series"] = 10000;
}
BENCHMARK(BM_RateAgainstPinnedEnd)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_HistogramQuantile99(benchmark::State& state) {
  FixedStore& store = HistogramStore();
  RunRange(state, store, "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
           state.range(0));
  state.counters["bucket_series"] = 1100;
}
BENCHMARK(BM_HistogramQuantile99)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)
    ->Iterations(10)->UseRealTime();

void BM_GaugeRatioAvgByRegion(benchmark::State& state) {
  FixedStore& store = GaugeStore();
  RunRange(state, store, "avg by (region) (1 - mem_avail / mem_total) * 100");
  state.counters["series"] = 2000;
}
BENCHMARK(BM_GaugeRatioAvgByRegion)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_MaxOverTime(benchmark::State& state) {
  FixedStore& store = GaugeStore();
  RunRange(state, store, "max_over_time(mem_avail[15m])");
  state.counters["series"] = 1000;
}
BENCHMARK(BM_MaxOverTime)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_AvgOverTime(benchmark::State& state) {
  auto& store = GaugeStore();
  RunRange(state, store, "avg_over_time(mem_avail[10m])");
  state.counters["series"] = 1000;
}
BENCHMARK(BM_AvgOverTime)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_SumOverTime(benchmark::State& state) {
  auto& store = GaugeStore();
  RunRange(state, store, "sum_over_time(mem_avail[1h])");
  state.counters["series"] = 1000;
}
BENCHMARK(BM_SumOverTime)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_MinByDeriv(benchmark::State& state) {
  FixedStore& store = GaugeStore();
  RunRange(state, store, "min by (region) (deriv(mem_avail[30m]))");
  state.counters["series"] = 1000;
}
BENCHMARK(BM_MinByDeriv)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
