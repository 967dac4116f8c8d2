// Executes promql-test scripts against a fresh store per `clear`, including the upstream
// runner's extra checks: @-pinned step-invariance variants and the range-mode re-run.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "promqltest/compare.h"
#include "promqltest/script.h"
#include "tidemark/query/engine.h"
#include "tidemark/query/promql_test.h"
#include "tidemark/storage/storage.h"

namespace tidemark::query {
namespace {

using script::Command;
using script::EvalCmd;

constexpr int64_t kHugeWindow = int64_t{1} << 60;

class TestStorage {
 public:
  explicit TestStorage(const PromqlTestOptions& options) : options_(options) {}
  ~TestStorage() { Close(); }

  Status Reset() {
    Close();
    if (options_.store == TestStore::kMem) {
      storage_ = NewMemStorage(kHugeWindow);
      return Status::OK();
    }
    std::string tmpl = options_.temp_dir + "/tidemark-promqltest-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) return Status::Internal("mkdtemp failed");
    dir_ = buf.data();
    StorageOptions so;
    so.dir = dir_;
    so.out_of_order_window_ms = kHugeWindow;
    so.retention_ms = 0;
    auto s = Storage::Open(so);
    if (!s.ok()) return s.status();
    storage_ = std::move(*s);
    return Status::OK();
  }

  void Close() {
    if (storage_) {
      storage_->Close().IgnoreError();
      storage_.reset();
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  Storage* get() { return storage_.get(); }

 private:
  const PromqlTestOptions& options_;
  std::unique_ptr<Storage> storage_;
  std::string dir_;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

bool MentionsAny(const std::string& expr, const std::set<std::string>& names) {
  if (names.empty()) return false;
  for (size_t i = 0; i < expr.size();) {
    if (expr[i] == '"' || expr[i] == '\'' || expr[i] == '`') {
      // Quoted metric names (`{"name"}`) count too.
      char q = expr[i];
      size_t j = i + 1;
      while (j < expr.size() && expr[j] != q) j += expr[j] == '\\' ? 2 : 1;
      if (names.count(expr.substr(i + 1, j - i - 1))) return true;
      i = j + 1;
      continue;
    }
    if (IsIdentStart(expr[i]) && (i == 0 || !IsIdent(expr[i - 1]))) {
      size_t j = i;
      while (j < expr.size() && IsIdent(expr[j])) ++j;
      if (names.count(expr.substr(i, j - i))) return true;
      i = j;
      continue;
    }
    ++i;
  }
  return false;
}

bool IsAtUnsafe(const std::string& name) {
  static const std::set<std::string> kUnsafe = {
      "days_in_month", "day_of_month", "day_of_week", "day_of_year", "end", "hour", "minute",
      "month", "year", "predict_linear", "range", "start", "step", "time", "timestamp"};
  return kUnsafe.count(name) > 0;
}

// Adds `@ ts` to every selector and subquery without one (not descending into subqueries,
// which then carry an @); reports whether a step-variant function is used.
void PinAt(Expr& e, Timestamp ts, bool* unsafe) {
  switch (e.kind) {
    case NodeKind::kVectorSelector: {
      auto& vs = static_cast<VectorSelector&>(e);
      if (vs.at.kind == AtKind::kNone) vs.at = {AtKind::kTimestamp, ts};
      return;
    }
    case NodeKind::kMatrixSelector: {
      auto& vs = *static_cast<MatrixSelector&>(e).vs;
      if (vs.at.kind == AtKind::kNone) vs.at = {AtKind::kTimestamp, ts};
      return;
    }
    case NodeKind::kSubquery: {
      auto& sq = static_cast<SubqueryExpr&>(e);
      if (sq.at.kind == AtKind::kNone) sq.at = {AtKind::kTimestamp, ts};
      return;
    }
    case NodeKind::kParen: PinAt(*static_cast<ParenExpr&>(e).expr, ts, unsafe); return;
    case NodeKind::kUnary: PinAt(*static_cast<UnaryExpr&>(e).expr, ts, unsafe); return;
    case NodeKind::kBinary: {
      auto& b = static_cast<BinaryExpr&>(e);
      PinAt(*b.lhs, ts, unsafe);
      PinAt(*b.rhs, ts, unsafe);
      return;
    }
    case NodeKind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      if (a.param) PinAt(*a.param, ts, unsafe);
      PinAt(*a.expr, ts, unsafe);
      return;
    }
    case NodeKind::kCall: {
      auto& c = static_cast<Call&>(e);
      if (c.func != nullptr && IsAtUnsafe(c.func->name)) *unsafe = true;
      for (auto& a : c.args) PinAt(*a, ts, unsafe);
      return;
    }
    default:
      return;
  }
}

class CaseRunner {
 public:
  CaseRunner(Engine& engine, const EvalCmd& ev) : engine_(engine), ev_(ev) {}

  std::string Run() {
    if (ev_.is_range) {
      if (ev_.end < ev_.start) return "invalid test definition, end timestamp before start";
      auto res = engine_.RangeQuery(ev_.expr, ev_.start, ev_.end, ev_.step);
      return Check(res, ev_.expr, false);
    }
    auto res = engine_.InstantQuery(ev_.expr, ev_.t);
    std::string err = Check(res, ev_.expr, true);
    if (!err.empty()) return err;
    if (!res.ok()) return "";  // expected failure
    err = RangeModeCheck(ev_.expr, nullptr, ev_.t, *res);
    if (!err.empty()) return err;
    // Step-invariance variants.
    std::vector<Timestamp> times;
    Timestamp t = ev_.t;
    if (t == 0) {
      times = {-1000, 0, 1000};
    } else {
      times = {-10 * t, 0, t / 5, t, 10 * t};
    }
    for (Timestamp at : times) {
      auto parsed = ParseExpr(ev_.expr);
      if (!parsed.ok()) return "";  // the plain query already covered this
      bool unsafe = false;
      PinAt(**parsed, t, &unsafe);
      if (unsafe) return "";
      auto vres = engine_.InstantQueryExpr(**parsed, ev_.expr, at);
      std::string verr = Check(vres, ev_.expr + " (with @ " + std::to_string(t) + " evaluated at " +
                                          std::to_string(at) + ")", true);
      if (!verr.empty()) return verr;
      if (!vres.ok()) continue;
      verr = RangeModeCheck(ev_.expr, parsed->get(), at, *vres);
      if (!verr.empty()) return verr + " (@-pinned variant at " + std::to_string(at) + ")";
    }
    return "";
  }

 private:
  // Checks failure expectations, annotations and the value of one query run.
  std::string Check(const Result<QueryValue>& res, const std::string& what, bool) {
    if (!res.ok()) {
      if (ev_.fail) return script::CheckFailure(ev_, res.status().message());
      return "error evaluating query " + what + ": " + res.status().message();
    }
    if (ev_.fail) return "expected error evaluating query " + what + " but got none";
    std::string e = script::CheckAnnotations(ev_, *res);
    if (!e.empty()) return e;
    e = script::CompareResult(ev_, *res);
    if (!e.empty()) return e;
    return "";
  }

  std::string RangeModeCheck(const std::string& text, const Expr* expr, Timestamp t,
                             const QueryValue& instant) {
    if (ev_.exclude_from_range) return "";
    for (const char* f : {"start()", "end()", "range()", "step()"}) {
      if (text.find(f) != std::string::npos) return "";
    }
    Result<QueryValue> rres = expr == nullptr
                                  ? engine_.RangeQuery(text, t - 60000, t + 60000, 60000)
                                  : engine_.RangeQueryExpr(*expr, text, t - 60000, t + 60000, 60000);
    if (!rres.ok()) return "error evaluating query in range mode: " + rres.status().message();
    if (ev_.ordered) return "";
    QueryValue vec;
    vec.kind = ValueKind::kVector;
    for (size_t i = 1; i < rres->matrix.size(); ++i) {
      if (rres->matrix[i].metric < rres->matrix[i - 1].metric) {
        return "range mode: matrix results should always be sorted by labels";
      }
    }
    for (const auto& s : rres->matrix) {
      for (const auto& p : s.points) {
        if (p.t == t) {
          vec.vector.push_back({s.metric, p.t, p.v});
          break;
        }
      }
    }
    std::string err;
    if (instant.kind == ValueKind::kScalar) {
      if (vec.vector.empty()) return "range mode: no point for the scalar result";
      QueryValue sc;
      sc.kind = ValueKind::kScalar;
      sc.scalar = vec.vector[0].v;
      err = script::CompareResult(ev_, sc);
    } else {
      err = script::CompareResult(ev_, vec);
    }
    if (!err.empty()) return "range mode: " + err;
    return "";
  }

  Engine& engine_;
  const EvalCmd& ev_;
};

Status Load(Storage& storage, const script::LoadCmd& load) {
  // The last definition of a label set within one load wins.
  std::map<Labels, const script::SeriesLine*> series;
  for (const auto& s : load.series) {
    if (!s.start_timestamps) series[s.labels] = &s;
  }
  auto app = storage.NewAppender();
  AppendOptions opts;
  opts.skip_validation = true;
  for (const auto& [labels, s] : series) {
    SeriesRef ref = 0;
    for (size_t i = 0; i < s->values.size(); ++i) {
      if (!s->values[i]) continue;
      SampleIn in;
      in.t = static_cast<Timestamp>(i) * load.interval_ms;
      in.v = *s->values[i];
      auto r = app->Append(ref, labels, in, opts);
      if (r.ok()) ref = *r;
    }
  }
  return app->Commit();
}

}  // namespace

int FileResult::passed() const {
  int n = 0;
  for (const auto& c : cases) n += c.outcome == CaseOutcome::kPassed;
  return n;
}
int FileResult::failed() const {
  int n = 0;
  for (const auto& c : cases) n += c.outcome == CaseOutcome::kFailed;
  return n;
}
int FileResult::skipped() const {
  int n = 0;
  for (const auto& c : cases) n += c.outcome == CaseOutcome::kSkipped;
  return n;
}

bool IsExperimentalTestFile(std::string_view base) {
  static const char* const kExperimental[] = {
      "duration_expression.test", "extended_vectors.test", "fill-modifier.test", "info.test",
      "limit.test", "start_timestamps.test", "type_and_unit.test"};
  for (const char* f : kExperimental) {
    if (base == f) return true;
  }
  return false;
}

bool IsStableFloatTestFile(std::string_view base) {
  return !IsExperimentalTestFile(base) && base != "native_histograms.test";
}

FileResult RunPromqlTestScript(std::string_view name, std::string_view text,
                               const PromqlTestOptions& options) {
  FileResult result;
  result.name = std::string(name);
  std::vector<Command> cmds = script::ParseScript(text);
  TestStorage storage(options);
  Status st = storage.Reset();
  if (!st.ok()) {
    result.error = "cannot open store: " + st.ToString();
    return result;
  }
  EngineOptions eopts;
  eopts.timeout_ms = 100'000;
  eopts.max_samples = options.max_samples;
  eopts.enable_experimental_functions = true;
  std::set<std::string> hist_names;
  auto engine = std::make_unique<Engine>(*storage.get(), eopts);
  for (const Command& cmd : cmds) {
    switch (cmd.kind) {
      case Command::kClear:
        st = storage.Reset();
        if (!st.ok()) {
          result.error = "cannot open store: " + st.ToString();
          return result;
        }
        engine = std::make_unique<Engine>(*storage.get(), eopts);
        hist_names.clear();
        break;
      case Command::kLoad: {
        for (const auto& s : cmd.load.series) {
          std::string metric(s.labels.MetricName());
          if (s.has_histogram) hist_names.insert(metric);
          if (cmd.load.with_nhcb) {
            for (const char* suffix : {"_bucket", "_count", "_sum"}) {
              std::string sfx(suffix);
              if (metric.size() > sfx.size() && metric.ends_with(sfx)) {
                hist_names.insert(metric.substr(0, metric.size() - sfx.size()));
              }
            }
          }
        }
        st = Load(*storage.get(), cmd.load);
        if (!st.ok() && result.error.empty()) {
          result.error = "line " + std::to_string(cmd.line) + ": load failed: " + st.ToString();
        }
        break;
      }
      case Command::kEval:
      case Command::kError: {
        if (cmd.kind == Command::kError && cmd.eval.header.empty()) {
          if (result.error.empty()) result.error = "line " + std::to_string(cmd.line) + ": " + cmd.error;
          break;
        }
        CaseResult c;
        c.line = cmd.line;
        c.command = cmd.eval.header;
        c.native_histogram = cmd.eval.has_histogram_text || MentionsAny(cmd.eval.expr, hist_names);
        std::string err;
        if (cmd.kind == Command::kError) {
          err = "invalid test command: " + cmd.error;
        } else {
          try {
            CaseRunner runner(*engine, cmd.eval);
            err = runner.Run();
          } catch (const std::exception& e) {
            err = std::string("runner exception: ") + e.what();
          }
        }
        c.message = err;
        if (c.native_histogram) {
          c.outcome = CaseOutcome::kSkipped;
        } else {
          c.outcome = err.empty() ? CaseOutcome::kPassed : CaseOutcome::kFailed;
        }
        result.cases.push_back(std::move(c));
        break;
      }
    }
  }
  return result;
}

FileResult RunPromqlTestFile(const std::string& path, const PromqlTestOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FileResult r;
    r.name = path;
    r.error = "cannot read " + path;
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return RunPromqlTestScript(path, ss.str(), options);
}

}  // namespace tidemark::query
