// Real crash test: a child process (this test binary re-executed) appends batches and reports
// each batch id only after Commit() returned OK; the parent SIGKILLs it at random moments, then
// reopens the store and checks every acknowledged sample is present, bit-identical, once.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "storage/storage_test_util.h"
#include "support/datagen.h"

namespace tidemark::testing {
namespace {

constexpr int kSeriesPerBatch = 12;
constexpr int kRounds = 50;
constexpr Timestamp kBaseT = 1'700'000'000'000;

Labels CrashSeries(int i) { return Labels{{"__name__", "crash"}, {"s", std::to_string(i)}}; }
Timestamp BatchTime(uint64_t b) { return kBaseT + static_cast<Timestamp>(b) * 1000; }

// The value of series i in batch b: special bit patterns on purpose (NaN payloads, StaleNaN,
// -0, infinities, random bits) so "bit-identical" means something.
double ExpectedValue(uint64_t b, int i, bool ooo) {
  uint64_t h = Rng(b * 131 + static_cast<uint64_t>(i) * 7 + (ooo ? 1 : 0)).Next();
  switch (i % 6) {
    case 0: return b % 5 == 0 ? StaleNaN() : static_cast<double>(b);
    case 1: return std::bit_cast<double>(0x7ff8000000000000ULL | (b & 0xffffffffULL));  // NaN payload
    case 2: return static_cast<double>(b) * 0.25;
    case 3: return std::bit_cast<double>(h);  // any bit pattern, incl. NaNs and denormals
    case 4: return b % 3 == 0 ? -0.0 : (b % 3 == 1 ? -std::numeric_limits<double>::infinity() : 1e308);
    default: return static_cast<double>(h % 1000) / 100.0;
  }
}

// Series 2 also gets an out-of-order sample half a second before each batch's main sample.
bool HasOoo(int i) { return i == 2; }

// ---- child -------------------------------------------------------------------------------------
TEST(TsdbCrashChild, Run) {
  const char* dir = std::getenv("TM_CRASH_CHILD_DIR");
  if (dir == nullptr) GTEST_SKIP() << "only runs as the child of TsdbCrashTest";
  const uint64_t start = std::strtoull(std::getenv("TM_CRASH_START"), nullptr, 10);
  int ack_fd = ::open(std::getenv("TM_CRASH_ACKS"), O_WRONLY | O_APPEND | O_CREAT, 0644);
  ASSERT_GE(ack_fd, 0);
  StorageOptions o;
  o.dir = dir;
  o.retention_ms = 0;
  auto db = Storage::Open(o);
  if (!db.ok()) _exit(3);
  // Compaction runs all the time, so kills also land while sealed chunks are being swapped for
  // cold blocks.
  std::thread compactor([&] {
    for (;;) {
      if ((*db)->Compact(CompactScope::kEverything).code() == StatusCode::kCorruption) _exit(8);
    }
  });
  compactor.detach();
  auto app = (*db)->NewAppender();
  for (uint64_t b = start;; ++b) {
    for (int i = 0; i < kSeriesPerBatch; ++i) {
      if (!app->Append(0, CrashSeries(i), {0, BatchTime(b), ExpectedValue(b, i, false)}).ok()) _exit(4);
      if (HasOoo(i) &&
          !app->Append(0, CrashSeries(i), {0, BatchTime(b) - 500, ExpectedValue(b, i, true)}).ok()) {
        _exit(5);
      }
    }
    if (!app->Commit().ok()) _exit(6);
    // Acknowledge only now: the batch is durable.
    if (::write(ack_fd, &b, sizeof(b)) != sizeof(b)) _exit(7);
  }
}

// ---- parent ------------------------------------------------------------------------------------
class TsdbCrashTest : public ::testing::Test {
 protected:
  // Runs one child from batch `start` and SIGKILLs it `delay` after it acknowledged its first
  // batch (or, with `during_open`, `delay` after exec: a kill during open/recovery). False if
  // the child died on its own.
  bool RunChildAndKill(uint64_t start, std::chrono::milliseconds delay, bool during_open) {
    std::string e1 = "TM_CRASH_CHILD_DIR=" + dir_.path() + "/db";
    std::string e2 = "TM_CRASH_START=" + std::to_string(start);
    std::string e3 = "TM_CRASH_ACKS=" + acks_path();
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(e1.data());
    envp.push_back(e2.data());
    envp.push_back(e3.data());
    envp.push_back(nullptr);
    std::string filter = "--gtest_filter=TsdbCrashChild.Run";
    char exe[] = "/proc/self/exe";
    char* argv[] = {exe, filter.data(), nullptr};
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);  // keep the child's gtest chatter out of ours
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
      }
      execve(exe, argv, envp.data());
      _exit(127);
    }
    if (pid < 0) return false;
    if (!during_open) {
      // Opening can take a while on a loaded machine; wait (bounded) for the first new ack.
      const off_t size0 = AckBytes();
      for (int i = 0; i < 2000 && AckBytes() == size0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) return false;
      }
    }
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  std::string acks_path() const { return dir_.path() + "/acks"; }
  off_t AckBytes() const {
    struct stat st {};
    return ::stat(acks_path().c_str(), &st) == 0 ? st.st_size : 0;
  }

  std::set<uint64_t> ReadAcks() {
    std::set<uint64_t> acks;
    int fd = ::open(acks_path().c_str(), O_RDONLY);
    if (fd < 0) return acks;
    uint64_t b = 0;
    while (::read(fd, &b, sizeof(b)) == sizeof(b)) acks.insert(b);
    ::close(fd);
    return acks;
  }

  // Reopens the store and checks it against the acknowledged batches.
  void Verify(const std::set<uint64_t>& acks) {
    StorageOptions o;
    o.dir = dir_.path() + "/db";
    o.retention_ms = 0;
    ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(o));
    ASSERT_OK_AND_ASSIGN(auto got, Query(*db, {Eq("__name__", "crash")}));
    std::vector<std::vector<Sample>> by_series(kSeriesPerBatch);
    for (auto& s : got) by_series[std::stoi(std::string(s.labels.Get("s")))] = std::move(s.samples);
    for (int i = 0; i < kSeriesPerBatch; ++i) {
      const auto& samples = by_series[i];
      std::set<Timestamp> present;
      for (size_t j = 0; j < samples.size(); ++j) {
        if (j > 0) {
          ASSERT_LT(samples[j - 1].t, samples[j].t) << "duplicate/unsorted, series " << i;
        }
        const Timestamp off = samples[j].t - kBaseT;
        const bool ooo = off % 1000 != 0;
        const uint64_t b = static_cast<uint64_t>((off + (ooo ? 500 : 0)) / 1000);
        ASSERT_EQ(Bits(samples[j].v), Bits(ExpectedValue(b, i, ooo)))
            << "series " << i << " batch " << b;
        present.insert(samples[j].t);
      }
      for (uint64_t b : acks) {
        ASSERT_TRUE(present.count(BatchTime(b))) << "lost acknowledged batch " << b << " series " << i;
        if (HasOoo(i)) {
          ASSERT_TRUE(present.count(BatchTime(b) - 500)) << "lost ooo sample " << b;
        }
      }
    }
    ASSERT_OK(db->Close());
  }

  TempDir dir_;
};

TEST_F(TsdbCrashTest, KillNineNeverLosesAcknowledgedSamples) {
  ASSERT_FALSE(dir_.path().empty());
  Rng rng(20261129);
  uint64_t next = 0;
  int killed = 0;
  for (int round = 0; round < kRounds; ++round) {
    // One round in five kills the child while it opens and recovers; the rest mid-append.
    const bool during_open = rng.Uniform(5) == 0;
    auto delay = std::chrono::milliseconds(during_open ? rng.Uniform(300) : rng.Uniform(80));
    ASSERT_TRUE(RunChildAndKill(next, delay, during_open))
        << "child exited on its own in round " << round;
    ++killed;
    std::set<uint64_t> acks = ReadAcks();
    if (!acks.empty()) next = *acks.rbegin() + 1;
    // Full verification every 5 rounds and at the end (reopening also exercises recovery of a
    // recovered store).
    if (round % 5 == 4 || round == kRounds - 1) {
      ASSERT_NO_FATAL_FAILURE(Verify(acks)) << "round " << round;
    }
  }
  EXPECT_EQ(killed, kRounds);
  EXPECT_GT(ReadAcks().size(), 1000u) << "children acknowledged too little to mean anything";
}

}  // namespace
}  // namespace tidemark::testing
