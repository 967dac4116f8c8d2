// Regenerates the checked-in format-v1 store and its expected contents (tests/testdata/format_v1/)
// when TM_REGENERATE_FORMAT_V1=1; skipped otherwise. Only for a deliberate format change.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>

#include "storage/format_v1_fixture.h"
#include "storage/storage_test_util.h"
#include "tsdb/keys.h"

namespace tidemark::testing {
namespace {

constexpr Timestamp kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
constexpr Timestamp kDay0 = 1'700'006'400'000;  // 2023-11-15T00:00:00Z: a partition start
constexpr Timestamp kDay1 = kDay0 + kDay;
constexpr Timestamp kStep = 15 * kMinute;  // sparse, so the 2 h span cuts chunks every 9 samples

Labels Gauge() { return {{"__name__", "fx_gauge"}, {"instance", "a:9100"}, {"job", "node"}}; }
Labels Unicode() {
  return {{"__name__", "fx_gauge"}, {"instance", "b:9100"}, {"job", "node"}, {"city", "Zürich"},
          {"note", "潮汐 🌊 \"quoted\" back\\slash\nsecond line"}};
}
Labels Special() { return {{"__name__", "fx_special"}, {"job", "edge"}}; }
Labels Ooo() { return {{"__name__", "fx_ooo"}, {"job", "edge"}}; }
Labels Counter() { return {{"__name__", "fx_requests_total"}, {"code", "200"}, {"job", "api"}}; }
Labels Constant() { return {{"__name__", "fx_info"}, {"version", "1.2.3"}}; }
Labels DeletedPart() { return {{"__name__", "fx_deleted"}, {"part", "middle"}}; }
Labels DeletedAll() { return {{"__name__", "fx_deleted"}, {"part", "all"}}; }
Labels Dropped() { return {{"__name__", "fx_dropped"}, {"job", "old"}}; }
Labels HeadOnly() { return {{"__name__", "fx_head_only"}, {"job", "new"}}; }

// Float edge cases, cycled through by fx_special: NaN payloads (Go's math.NaN() is ...01),
// StaleNaN, a negative and a signalling NaN, infinities, signed zeros, extremes, denormals.
constexpr uint64_t kEdgeBits[] = {
    0x7ff8000000000000, 0x7ff8000000000001, kStaleNaNBits,      0xfff8000000000000,
    0x7ff4000000000000, 0x7ff8deadbeef0001, 0x7ff0000000000000, 0xfff0000000000000,
    0x8000000000000000, 0x0000000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
    0x0010000000000000, 0x0000000000000001, 0x8000000000000001, 0x3ff0000000000000,
};

double ValueAt(const Labels& l, int64_t i) {
  if (l == Special()) return std::bit_cast<double>(kEdgeBits[i % std::size(kEdgeBits)]);
  if (l == Gauge()) return static_cast<double>(200 + i % 37) / 10.0;  // decimals: 20.0 .. 23.6
  if (l == Constant()) return 1.0;
  if (l == Counter()) return static_cast<double>(i * (i + 3) / 2);    // integers, increasing
  if (i % 7 == 3) return i % 2 ? 1e300 : -1e-300;
  return static_cast<double>(i) * 1.5 - 7.25;
}

// Counter timestamps jitter a few ms like real scrapes (the cold grid codec's case).
Timestamp TimeAt(const Labels& l, Timestamp base, int64_t i) {
  return base + i * kStep + (l == Counter() ? (i * 7) % 41 : 0);
}

// Writes through the public API and keeps the model of what a query must return.
class Writer {
 public:
  explicit Writer(Storage& db) : db_(db) {}
  void Commit(const std::vector<std::pair<Labels, Sample>>& batch) {
    auto app = db_.NewAppender();
    for (const auto& [l, s] : batch) {
      Must(app->Append(0, l, {0, s.t, s.v}).status(), "append");
      model_[l][s.t] = s.v;
    }
    Must(app->Commit(), "commit");
  }
  void Delete(const Labels& l, Timestamp mint, Timestamp maxt) {
    Matchers m;
    for (const Label& x : l) m.push_back(Matcher::Make(MatchType::kEqual, x.name, x.value).value());
    Must(db_.DeleteSeries(m, mint, maxt), "delete");
    auto& s = model_[l];
    s.erase(s.lower_bound(mint), s.upper_bound(maxt));
  }
  void Forget(const Labels& l) { model_.erase(l); }
  std::vector<SeriesData> Expected() const {
    std::vector<SeriesData> out;
    for (const auto& [l, samples] : model_) {
      if (samples.empty()) continue;  // queries omit series without samples
      SeriesData s{l, {}};
      for (const auto& [t, v] : samples) s.samples.push_back({t, v});
      out.push_back(std::move(s));
    }
    return out;
  }
  // The child has no gtest to report to: any failure ends it with a message.
  static void Must(const Status& s, const char* what) {
    if (s.ok()) return;
    std::fprintf(stderr, "format_v1 generator: %s: %s\n", what, s.ToString().c_str());
    _exit(1);
  }

 private:
  Storage& db_;
  std::map<Labels, std::map<Timestamp, double>> model_;
};

// Runs in a child process that ends without closing the store, so the last samples stay in
// the head log only, as after a crash.
void Generate(const std::string& dir, const std::string& expected_path) {
  StorageOptions o;
  o.dir = dir;
  o.retention_ms = 6 * kHour;  // only for the explicit EnforceRetention below
  auto opened = Storage::Open(o);
  Writer::Must(opened.status(), "open");
  Storage& db = **opened;
  Writer w(db);

  // Day 0: one series that retention drops whole (nothing else has data in that partition).
  for (int64_t i = 0; i <= 12; ++i) {
    w.Commit({{Dropped(), {kDay0 + kHour + i * 10 * kMinute, static_cast<double>(i) * 0.5}}});
  }
  // Day 1, 00:00-12:00: becomes cold blocks. fx_ooo also gets samples 7 min behind its newest.
  const std::vector<Labels> day1 = {Gauge(), Unicode(), Special(), Ooo(), Counter(), Constant(),
                                    DeletedPart(), DeletedAll()};
  auto step = [&](const std::vector<Labels>& series, Timestamp base, int64_t i) {
    std::vector<std::pair<Labels, Sample>> batch;
    for (const Labels& l : series) batch.push_back({l, {TimeAt(l, base, i), ValueAt(l, i)}});
    w.Commit(batch);
    if (i % 5 == 4) w.Commit({{Ooo(), {base + i * kStep - 7 * kMinute, -static_cast<double>(i)}}});
  };
  for (int64_t i = 0; i <= 48; ++i) step(day1, kDay1, i);
  Writer::Must(db.Flush(), "flush");
  Writer::Must(db.EnforceRetention(), "retention");  // drops day 0 and with it fx_dropped
  w.Forget(Dropped());
  Writer::Must(db.Compact(CompactScope::kEverything), "compact");
  // Deleting after compaction rewrites part of a cold block as XOR and queues it again.
  w.Delete(DeletedPart(), kDay1 + 3 * kHour, kDay1 + 4 * kHour);
  w.Delete(DeletedAll(), kMinTimestamp, kMaxTimestamp);  // the series record stays, no data
  // 12:15-16:00: sealed XOR chunks waiting in cold_todo (no compaction after them).
  const std::vector<Labels> later = {Gauge(), Unicode(), Special(), Ooo(), Counter(), Constant()};
  for (int64_t i = 49; i <= 64; ++i) step(later, kDay1, i);
  Writer::Must(db.Flush(), "flush");
  // 16:05-17:50: only in the head log, including a series created there.
  const std::vector<Labels> head = {Gauge(), Special(), Ooo(), HeadOnly()};
  const Timestamp head_base = kDay1 + 16 * kHour + 5 * kMinute - 65 * kStep;
  for (int64_t i = 65; i <= 72; ++i) step(head, head_base, i);
  const StorageStats st = db.Stats();
  if (st.cold_blocks_written == 0) Writer::Must(Status::Internal("no cold blocks"), "stats");

  std::ofstream out(expected_path, std::ios::binary | std::ios::trunc);
  out << FormatExpected(w.Expected(),
                        "# Every series and sample of tests/testdata/format_v1/store as today's code\n"
                        "# must read it. Generated with the store by FormatV1Fixture.Regenerate\n"
                        "# (tests/storage/format_v1_fixture_test.cc); do not edit by hand.\n");
  out.close();
  if (!out) Writer::Must(Status::Unavailable("cannot write " + expected_path), "expected");
  _exit(0);  // no Close: the last commits stay in the head log (RocksDB's WAL)
}

TEST(FormatV1Fixture, Regenerate) {
  const char* flag = std::getenv("TM_REGENERATE_FORMAT_V1");
  if (flag == nullptr || std::string(flag) != "1") {
    GTEST_SKIP() << "set TM_REGENERATE_FORMAT_V1=1 to rewrite tests/testdata/format_v1/";
  }
  // Only version-1 code writes a version-1 store; today's writes a newer one, which belongs in
  // a fixture of its own (docs/format/keys.md, Compatibility).
  ASSERT_EQ(tsdb::kFormatVersion, 1u) << "today's code writes format version "
                                       << tsdb::kFormatVersion << ", not 1";
  const auto store = FormatV1StoreDir();
  std::filesystem::remove_all(store);
  std::filesystem::create_directories(FormatV1Dir());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) Generate(store.string(), FormatV1ExpectedFile().string());
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "generator failed: " << status;
  // RocksDB's info logs, lock file and older OPTIONS files are not needed to open the store (it
  // writes new ones); they would only add bytes.
  std::string newest_options;
  for (const auto& e : std::filesystem::directory_iterator(store)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("OPTIONS-", 0) == 0 && name > newest_options) newest_options = name;
  }
  for (const auto& e : std::filesystem::directory_iterator(store)) {
    const std::string name = e.path().filename().string();
    if (name == "LOCK" || name.rfind("LOG", 0) == 0 ||
        (name.rfind("OPTIONS-", 0) == 0 && name != newest_options)) {
      std::filesystem::remove(e.path());
    }
  }
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(store)) bytes += e.file_size();
  std::printf("format_v1 store: %llu bytes\n", static_cast<unsigned long long>(bytes));
  TempDir copy;
  ASSERT_OK(CopyFormatV1Store(copy.path() + "/store"));
  ASSERT_OK_AND_ASSIGN(auto inventory, InventoryRaw(copy.path() + "/store"));
  for (const auto& [k, v] : inventory) {
    if (k.rfind("meta:", 0) != 0) std::printf("  %s: %s records\n", k.c_str(), v.c_str());
  }
}

}  // namespace
}  // namespace tidemark::testing
