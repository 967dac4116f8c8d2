// The evaluator's internal machinery: per-step evaluation of an AST over preloaded series data.
#pragma once

#include <chrono>
#include <cmath>
#include <map>
#include <string_view>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/ptr_index.h"
#include "eval/worker_pool.h"
#include "tidemark/query/ast.h"
#include "tidemark/query/engine.h"
#include "tidemark/storage/querier.h"

namespace tidemark::query::eval {

// Labels are shared between steps so a series' identity is built once per query, not per step.
// Every label set is interned by the Evaluator (Intern), which owns it for the whole query, so a
// plain pointer suffices (no reference counting on the per-step hot paths) and pointer equality
// is label-set equality.
using LabelsPtr = const Labels*;

// One element of an instant vector at the current evaluation step.
struct ESample {
  LabelsPtr metric = nullptr;
  double v = 0;
  Timestamp t = 0;         // sample time (used by timestamp()); the step time otherwise
  bool drop_name = false;  // delayed __name__ removal (Prometheus 3 semantics)
};
using EVector = std::vector<ESample>;

// One series of a range vector at the current step: points in the window, oldest first.
struct EWindow {
  LabelsPtr metric = nullptr;
  std::span<const Point> points;
  bool drop_name = false;
};

// A materialized range vector (windows reference `storage` or the preloaded data).
struct EMatrix {
  std::vector<EWindow> series;
  Timestamp range_end = 0;  // windows cover (range_end - range_ms, range_end]
  int64_t range_ms = 0;
  std::vector<std::vector<Point>> owned;  // backing storage for subquery windows
};

// The value of a node at one step.
struct EValue {
  ValueKind kind = ValueKind::kNone;
  double scalar = 0;
  std::string str;
  EVector vec;
  EMatrix mat;
};

// Thrown inside the evaluator to abort the query; Engine turns it into a Status.
struct EvalError {
  Status status;
};
[[noreturn]] void Fail(StatusCode code, std::string message);
// Evaluation errors Prometheus answers with 422 "execution" (returnAPIError's default).
[[noreturn]] void FailExec(std::string message);
// Runs fn and returns what it throws as a Status (an EvalError's, out of memory, or Internal):
// how evaluation errors leave the engine and the work done on the worker pool.
template <typename Fn>
Status CatchStatus(Fn&& fn) {
  try {
    fn();
    return Status::OK();
  } catch (const EvalError& e) {
    return e.status;
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("query ran out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("query evaluation failed: ") + e.what());
  }
}

// Selected series are handed to the worker pool this many at a time: enough to share out, few
// enough that a batch's samples are a small part of what a query may hold.
inline constexpr size_t kSeriesBatch = 64;
// Selections shorter than this are read on the query's own thread: they are mostly head data,
// whose series cost less to read than to hand to another core (100k series x 30 min:
// max_over_time 29 ms on one thread, 43 ms on two); longer ones decode cold blocks, where two
// threads took the 7-day latency_p99 from 94 to 39 ms.
inline constexpr int64_t kParallelReadMinRangeMs = 6 * 3600 * 1000;

// Preloaded data for one selector node.
struct SelectorData {
  struct Series {
    LabelsPtr metric = nullptr;
    std::vector<Point> points;  // for vector selectors: including stale markers
  };
  std::vector<Series> series;
  // Vector selectors: per series, the index after the last point at or before `cursor_t`, so a
  // range query's steps (which only move forward) find their sample without a binary search.
  std::vector<uint32_t> cursor;
  Timestamp cursor_t = 0;
};

// Running state of one aggregation group (sum, avg, count, min, max, group, stddev, stdvar);
// the operations on it are in agg_acc.h.
struct AggAcc {
  double value = 0;
  double kahan_c = 0;
  double mean = 0;
  double count = 0;
  bool incremental_mean = false;
};

// An aggregation over a plain vector selector at the query's steps, computed while the
// selector's series stream from storage in Prepare, so no series' data or labels are held
// (eval_stream_agg.cc).
struct StreamedAgg {
  // Accumulators are kept per group, in blocks of consecutive steps allocated at the block's
  // first input: a series' values then walk one group's accumulators in step order, and a group
  // present at few steps costs few blocks.
  static constexpr size_t kStepBlock = 64;
  using Block = std::unique_ptr<AggAcc[]>;  // an accumulator with count 0 has had no input
  std::vector<LabelsPtr> group_labels;                // per group
  std::unordered_map<uint64_t, uint32_t> group_of_key;
  std::vector<std::vector<Block>> blocks;             // per group: per block of steps
  std::vector<std::vector<uint32_t>> order;           // per step: groups in first-input order
  std::vector<size_t> inputs;                         // per step: samples the input held
  bool drop_name = false;                             // the input drops __name__ (functions)
  const AggAcc& At(uint32_t group, size_t k) const {
    return blocks[group][k / kStepBlock][k % kStepBlock];
  }
};

// What a selection run on a worker, next to the query's other selections, leaves to the query's
// thread: label interning, the accounting and annotations belong to that thread.
struct SelectDeferred {
  std::vector<Labels> group_labels;  // a streamed aggregation's, per group
  struct Series {
    Labels labels;
    std::vector<Point> points;
  };
  std::vector<Series> series;        // a preloaded selector's, in select order
  size_t points = 0, bytes = 0;      // what `series` holds, as the accounting counts it
  std::vector<std::string> infos;
};

// Per-subquery memo of inner results by evaluation time.
struct SubqueryCache {
  std::map<Timestamp, EVector> results;
};

// Per range-function call (range queries): results of a block of consecutive steps, computed
// in one forward pass per series (see eval_range_call.cc).
struct RangeCallCache {
  bool valid = false;
  bool is_counter_fn = false;   // rate/increase: counter-reset correction
  bool is_rate_family = false;  // rate/increase/delta: extrapolated rate
  std::vector<LabelsPtr> metrics;       // per series of the selector
  std::vector<uint32_t> resets;         // indexes i with points[i] < points[i-1], per series
  std::vector<size_t> reset_offsets;    // series s's resets: [offsets[s], offsets[s+1])
  size_t first_step = 0;                // block: steps [first_step, first_step + steps)
  size_t steps = 0;
  std::vector<double> values;           // [series * steps + k]
  std::vector<uint8_t> present;         // whether the function produced a value there
  std::vector<size_t> points;           // per step: samples in all windows (sample limit)
  // Per series: where its window stood after the last block, so the next block continues
  // without searching (valid for the step `next_step`).
  struct Cursor {
    uint32_t b = 0, e = 0;  // window [b, e) in the series' points
    uint32_t reset = 0;     // resets before this index (of the series' list) are behind b
    bool started = false;
  };
  std::vector<Cursor> cursors;
  size_t next_step = 0;
  std::vector<uint8_t> name_checked;  // per series: counter-name info already considered
};

// Per vector/vector binary operator node (range queries): matching signature of each input
// label set and the result label set of each match, built once per series instead of per step.
struct BinaryCache {
  struct Out {
    LabelsPtr metric = nullptr;
    uint32_t result_id = 0;  // dense id of metric->Hash() (equal hashes, equal ids)
  };
  struct PairHash {
    size_t operator()(const std::pair<LabelsPtr, LabelsPtr>& p) const {
      auto a = reinterpret_cast<uintptr_t>(p.first), b = reinterpret_cast<uintptr_t>(p.second);
      return static_cast<size_t>((a * 0x9E3779B97F4A7C15ULL) ^ (b + (a << 6) + (a >> 2)));
    }
  };
  // Input label set -> dense id of its signature (one id per distinct signature), so the
  // per-step matching state below is arrays stamped with the evaluation's number instead of
  // hash containers built and freed at every step.
  PtrIndex group_index;
  std::unordered_map<uint64_t, uint32_t> group_of_sig;
  uint32_t visit = 0;                    // evaluations of this node so far
  std::vector<uint32_t> one_visit;       // per group: visit that put a "one" side sample there
  std::vector<const void*> one_sample;   // per group: that sample (an ESample of this visit)
  std::vector<uint32_t> matched_visit;   // per group (one-to-one): visit that matched it
  // Many-to-one: (group, result-hash id) -> visit that produced it.
  std::unordered_map<uint64_t, uint32_t> result_visit;
  std::unordered_map<uint64_t, uint32_t> result_id_of_hash;
  PtrIndex out_index;  // many-side label set -> index into outs (no group_x labels included)
  std::unordered_map<std::pair<LabelsPtr, LabelsPtr>, uint32_t, PairHash> out_by_pair;
  std::vector<Out> outs;
};

class Evaluator {
 public:
  Evaluator(Queryable& storage, const EngineOptions& options, WorkerPool& pool,
            const CancelToken* cancel, std::string_view query, Timestamp start, Timestamp end,
            int64_t step_ms);

  // Selects the data every selector in `root` needs, once for the whole query.
  void Prepare(const Expr& root);
  EValue Eval(const Expr& e, Timestamp ts);

  void CheckInterrupt();
  // Runs fn(i) for i in [0, n) on the worker pool (WorkerPool::Start). What fn(i) throws is kept
  // in errors[i] (resized to n) for the caller to rethrow in series order, so the error reported
  // is the serial one.
  WorkerPool::Task StartSeries(size_t n, WorkerPool::Fn fn, bool use_workers,
                               std::vector<Status>* errors);
  void AddSamples(size_t n);
  void ReleaseSamples(size_t n);
  // Adds points preloaded for a selector (held for the whole query) to the accounting.
  void AddPreloaded(size_t n);
  void Warn(std::string w) { warnings_.push_back(std::move(w)); }
  void Info(std::string i) { infos_.push_back(std::move(i)); }
  std::vector<std::string>& warnings() { return warnings_; }
  std::vector<std::string>& infos() { return infos_; }
  Timestamp start() const { return start_; }
  Timestamp end() const { return end_; }
  int64_t step() const { return step_ms_; }
  const EngineOptions& options() const { return options_; }

  // Interns a label set so equal sets share one pointer within a query.
  LabelsPtr Intern(Labels l);
  // What an interned label set counts for in the accounting.
  static size_t LabelBytes(const Labels& l);

  // Node evaluators (one file each).
  EValue EvalVectorSelector(const VectorSelector& vs, Timestamp ts);
  EMatrix EvalMatrixSelector(const MatrixSelector& ms, Timestamp ts);
  EMatrix EvalSubquery(const SubqueryExpr& sq, Timestamp ts);
  EValue EvalBinary(const BinaryExpr& b, Timestamp ts);
  EValue EvalAggregate(const AggregateExpr& a, Timestamp ts);
  EValue EvalCall(const Call& c, Timestamp ts);
  EValue EvalHistogramCall(const Call& c, Timestamp ts);  // histogram_quantile(s), _fraction
  // Range-function call on the range query's step grid, served from a per-node block of
  // precomputed steps; false when the call does not qualify (the per-step path then runs).
  bool EvalRangeCallFast(const Call& c, Timestamp ts, EValue* out);

  Timestamp ResolveAt(const AtModifier& at, Timestamp ts) const;
  // " (line:col)" position suffix of an annotation about `e`.
  std::string Pos(const Expr& e) const;

 private:
  EValue EvalNode(const Expr& e, Timestamp ts);  // Eval without the step-invariant results
  void PrepareNode(const Expr& e, Timestamp mint, Timestamp maxt);
  // Feeds every series of `set` (selector `vs`, samples in [mint, maxt]) into the streamed
  // aggregation `a`; StreamedAggregateAt then answers EvalAggregate at each step.
  // `call` is the range function over the matrix selector `vs`[range_ms] in `a(call(...))`,
  // null for `a(vs)`. With `deferred`, it changes nothing of the evaluator's but `sa`, so it
  // may run on a worker; group labels and infos are then left in `deferred`.
  void StreamAggregate(const AggregateExpr& a, StreamedAgg& sa, const VectorSelector& vs,
                       const Call* call, int64_t range_ms, SeriesSet& set, Timestamp mint,
                       Timestamp maxt, SelectDeferred* deferred);
  EValue StreamedAggregateAt(const AggregateExpr& a, const StreamedAgg& sa, Timestamp ts);
  void BuildRangeBlock(const Call& c, const Expr& matrix_arg, const MatrixSelector& ms,
                       const std::vector<double>& scalars, size_t step_idx,
                       RangeCallCache& cache);

  Queryable& storage_;
  const EngineOptions& options_;
  WorkerPool& pool_;
  std::string query_;
  const CancelToken* cancel_;
  Timestamp start_, end_;
  int64_t step_ms_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point started_;
  // Fails the query when the memory it accounts for (below) passes options_.max_bytes.
  void CheckBytes();
  [[noreturn]] void FailTooManySamples() const;
  [[noreturn]] void FailTooManyBytes() const;

  size_t current_samples_ = 0;
  size_t preloaded_samples_ = 0;
  size_t label_bytes_ = 0;  // of the interned label sets
  size_t held_results_ = 0;  // samples held across steps: subquery caches, step-invariant values
  uint32_t interrupt_counter_ = 0;
  std::unordered_map<const Expr*, SelectorData> data_;
  std::unordered_map<const Expr*, SubqueryCache> subqueries_;
  std::unordered_map<const Expr*, RangeCallCache> range_calls_;
  std::unordered_map<const Expr*, BinaryCache> binary_cache_;
  std::unordered_map<const Expr*, StreamedAgg> streamed_aggs_;
  // Range queries: the step-invariant subexpressions (FindStepInvariant) and, once evaluated at
  // their first step, their value, which every later step reuses. A reused value is not counted
  // against --query.max-samples again; what is held counts against --query.max-bytes.
  std::unordered_map<const Expr*, std::optional<EValue>> invariant_;
 public:
  // Per aggregation node, kept across the steps of a range query so each input series is
  // hashed and grouped once per query instead of once per step: the series' group (found by
  // its interned pointer) and a dense slot per grouping key.
  struct AggCache {
    struct Info {
      uint64_t key = 0;
      LabelsPtr labels = nullptr;  // group labels (not built for topk/bottomk/limitk/limit_ratio)
      uint32_t slot = 0;
    };
    PtrIndex series;  // input label set -> index into infos
    std::vector<Info> infos;
    std::unordered_map<uint64_t, uint32_t> slot_of_key;
    std::vector<uint32_t> group_of_slot;  // per-step scratch: slot -> group index, or UINT32_MAX
  };
  AggCache& AggregateCache(const Expr* node) { return agg_cache_[node]; }

 private:
  std::unordered_map<const Expr*, AggCache> agg_cache_;
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<const Labels>>> interned_;
  std::vector<std::string> warnings_;
  std::vector<std::string> infos_;
};

// Helpers shared by the node files.
const Expr& Unwrap(const Expr& e);  // strips parentheses
Labels DropMetricName(const Labels& l);
// Kahan-Babuska-Neumaier compensated summation step.
inline void KahanInc(double inc, double& sum, double& c) {
  double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}
// KahanInc without its infinity branch: a sum that once reaches ±Inf stays infinite or NaN, so
// when a sum ends finite the branch was never taken and the bits are KahanInc's.
inline void PlainKahanInc(double inc, double& sum, double& c) {
  const double t = sum + inc;
  c += std::fabs(sum) >= std::fabs(inc) ? (sum - t) + inc : (inc - t) + sum;
  sum = t;
}
double Quantile(double q, std::vector<double> values);  // Prometheus' quantile() on floats
// Quantile's interpolation on values already in its order (non-empty, q in [0, 1]).
double QuantileOfSorted(double q, std::span<const double> sorted);
// sum_over_time / avg_over_time of a non-empty window through KahanInc at every point (avg
// switching to an incremental mean on overflow): the full path, which RangeFunction takes when
// the window's sum is not finite and otherwise matches bit for bit with a cheaper loop.
double KahanSumOverTime(std::span<const Point> p);
double KahanAvgOverTime(std::span<const Point> p);
// Appends one series' samples in [mint, maxt] to `out` (without stale markers when `drop_stale`),
// read a decoded chunk at a time (SeriesIterator::ReadBatch).
void ReadPoints(SeriesIterator& it, Timestamp mint, Timestamp maxt, bool drop_stale,
                std::vector<Point>* out);

// The window of one series handed to a range-vector function at one step.
struct RangeCtx {
  std::span<const Point> points;
  Timestamp range_start = 0;  // window is (range_start, range_end]
  Timestamp range_end = 0;
  int64_t range_ms = 0;
  Timestamp ts = 0;             // evaluation step time
  std::vector<double> scalars;  // the function's scalar arguments, in order
};
// Range-vector functions (rate, *_over_time, ...). Returns false when there is no output for
// this series; throws EvalError for invalid parameters. Unknown name: throws Internal.
bool RangeFunction(std::string_view name, const RangeCtx& c, double* out);
// rate/increase/delta of one window. `may_have_resets` = false lets a caller that knows the
// window holds no counter reset skip the reset scan (the result is bit-identical).
bool ExtrapolatedRate(const RangeCtx& c, bool is_counter, bool is_rate, bool may_have_resets,
                      double* out);
bool IsRangeFunction(std::string_view name);
// Element-wise float functions (abs, ln, clamp, round, day_of_month...). `scalars` are the
// extra scalar arguments. Returns false when `name` is not such a function.
bool ElementFunction(std::string_view name, double in, const std::vector<double>& scalars,
                     double* out);
// histogram_quantile / histogram_fraction on classic `le` buckets.
struct Bucket {
  double upper_bound;
  double count;
};
struct BucketQuantileResult {
  double value;
  bool forced_monotonic;
};
BucketQuantileResult BucketQuantile(double q, std::vector<Bucket> buckets);
double BucketFraction(double lower, double upper, std::vector<Bucket> buckets);

}  // namespace tidemark::query::eval
