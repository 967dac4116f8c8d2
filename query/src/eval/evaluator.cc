// Evaluator core: node dispatch, limits (timeout, cancellation, sample budget), label interning.
#include "eval/evaluator.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <new>
#include <cstdio>

namespace tidemark::query::eval {

void Fail(StatusCode code, std::string message) { throw EvalError{Status(code, std::move(message))}; }
void FailExec(std::string message) { Fail(StatusCode::kUnprocessable, std::move(message)); }

Evaluator::Evaluator(Queryable& storage, const EngineOptions& options, WorkerPool& pool,
                     const CancelToken* cancel, std::string_view query, Timestamp start,
                     Timestamp end, int64_t step_ms)
    : storage_(storage),
      options_(options),
      pool_(pool),
      query_(query),
      cancel_(cancel),
      start_(start),
      end_(end),
      step_ms_(step_ms) {
  started_ = std::chrono::steady_clock::now();
  deadline_ = started_ + std::chrono::milliseconds(options.timeout_ms > 0 ? options.timeout_ms
                                                                           : int64_t{1} << 40);
}

void Evaluator::CheckInterrupt() {
  if (cancel_ != nullptr && cancel_->canceled.load(std::memory_order_relaxed)) {
    Fail(StatusCode::kCanceled, "query was canceled in expression evaluation");
  }
  auto now = std::chrono::steady_clock::now();
  if (now > deadline_) {
    double secs = std::chrono::duration<double>(now - started_).count();
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3fs", secs);
    Fail(StatusCode::kDeadlineExceeded,
         std::string("query timed out in expression evaluation (after ") + buf + ")");
  }
}

void Evaluator::FailTooManySamples() const {
  Fail(StatusCode::kResourceExhausted,
       "query processing would load too many samples into memory in query execution");
}

void Evaluator::FailTooManyBytes() const {
  Fail(StatusCode::kResourceExhausted,
       "query would use more than " + std::to_string(options_.max_bytes) +
           " bytes of memory (--query.max-bytes) in query execution");
}

void Evaluator::AddSamples(size_t n) {
  current_samples_ += n;
  if (current_samples_ > options_.max_samples) FailTooManySamples();
  CheckBytes();
}

void Evaluator::AddPreloaded(size_t n) {
  preloaded_samples_ += n;
  if (preloaded_samples_ > options_.max_samples) FailTooManySamples();
  CheckBytes();
}

// What a query holds, estimated from what the evaluator already counts: step samples (a label
// pointer, time and value each), preloaded points, and the bytes of every label set it interned
// (strings plus their headers). Buffers of a few elements are not worth counting one by one.
void Evaluator::CheckBytes() {
  if (options_.max_bytes == 0) return;
  constexpr size_t kStepSampleBytes = sizeof(LabelsPtr) + sizeof(Point);
  const size_t bytes = (current_samples_ + held_results_) * kStepSampleBytes +
                       preloaded_samples_ * sizeof(Point) + label_bytes_;
  if (bytes > options_.max_bytes) FailTooManyBytes();
}

WorkerPool::Task Evaluator::StartSeries(size_t n, WorkerPool::Fn fn, bool use_workers,
                                         std::vector<Status>* errors) {
  errors->assign(n, Status::OK());
  return pool_.Start(n, [fn = std::move(fn), errors](size_t i) {
    (*errors)[i] = CatchStatus([&] { fn(i); });
  }, use_workers);
}

void Evaluator::ReleaseSamples(size_t n) { current_samples_ -= std::min(n, current_samples_); }

LabelsPtr Evaluator::Intern(Labels l) {
  auto& bucket = interned_[l.Hash()];
  for (const auto& p : bucket) {
    if (*p == l) return p.get();
  }
  label_bytes_ += LabelBytes(l);
  bucket.push_back(std::make_unique<const Labels>(std::move(l)));
  CheckBytes();
  return bucket.back().get();
}

size_t Evaluator::LabelBytes(const Labels& l) {
  size_t bytes = sizeof(Labels) + l.size() * sizeof(Label);
  for (const Label& x : l.items()) bytes += x.name.size() + x.value.size();
  return bytes;
}

Timestamp Evaluator::ResolveAt(const AtModifier& at, Timestamp ts) const {
  switch (at.kind) {
    case AtKind::kTimestamp: return at.timestamp;
    case AtKind::kStart: return start_;
    case AtKind::kEnd: return end_;
    case AtKind::kNone: break;
  }
  return ts;
}

std::string Evaluator::Pos(const Expr& e) const {
  int line = 1, col = 1;
  for (int i = 0; i < e.pos.start && i < static_cast<int>(query_.size()); ++i) {
    if (query_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return " (" + std::to_string(line) + ":" + std::to_string(col) + ")";
}

const Expr& Unwrap(const Expr& e) {
  const Expr* p = &e;
  while (p->kind == NodeKind::kParen) p = static_cast<const ParenExpr*>(p)->expr.get();
  return *p;
}

Labels DropMetricName(const Labels& l) {
  if (!l.Has(kMetricName) && !l.Has("__type__") && !l.Has("__unit__")) return l;
  LabelsBuilder b(l);
  b.Del(kMetricName).Del("__type__").Del("__unit__");
  return b.Build();
}

double Quantile(double q, std::vector<double> values) {
  if (values.empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end(), [](double a, double b) {
    // NaN sorts first, as Go's sort.Float64s does.
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  return QuantileOfSorted(q, values);
}

double QuantileOfSorted(double q, std::span<const double> sorted) {
  double n = static_cast<double>(sorted.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return sorted[static_cast<size_t>(lower)] * (1 - weight) +
         sorted[static_cast<size_t>(upper)] * weight;
}

EValue Evaluator::Eval(const Expr& e, Timestamp ts) {
  if ((++interrupt_counter_ & 63) == 0) CheckInterrupt();
  if (!invariant_.empty()) {
    auto it = invariant_.find(&e);
    if (it != invariant_.end()) {
      if (!it->second) {
        it->second = EvalNode(e, ts);
        held_results_ += it->second->vec.size();
        CheckBytes();
      }
      return *it->second;
    }
  }
  return EvalNode(e, ts);
}

EValue Evaluator::EvalNode(const Expr& e, Timestamp ts) {
  EValue out;
  switch (e.kind) {
    case NodeKind::kNumber:
      out.kind = ValueKind::kScalar;
      out.scalar = static_cast<const NumberLiteral&>(e).value;
      return out;
    case NodeKind::kString:
      out.kind = ValueKind::kString;
      out.str = static_cast<const StringLiteral&>(e).value;
      return out;
    case NodeKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr, ts);
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), ts);
    case NodeKind::kMatrixSelector:
      out.kind = ValueKind::kMatrix;
      out.mat = EvalMatrixSelector(static_cast<const MatrixSelector&>(e), ts);
      return out;
    case NodeKind::kSubquery:
      out.kind = ValueKind::kMatrix;
      out.mat = EvalSubquery(static_cast<const SubqueryExpr&>(e), ts);
      return out;
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out = Eval(*u.expr, ts);
      if (u.op == '-') {
        if (out.kind == ValueKind::kScalar) {
          out.scalar = -out.scalar;
        } else {
          for (auto& s : out.vec) {
            s.v = -s.v;
            s.drop_name = true;
          }
        }
      }
      return out;
    }
    case NodeKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e), ts);
    case NodeKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e), ts);
    case NodeKind::kCall:
      return EvalCall(static_cast<const Call&>(e), ts);
  }
  Fail(StatusCode::kInternal, "unhandled expression node");
}

}  // namespace tidemark::query::eval
