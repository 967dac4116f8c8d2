// StateStore: put/delete/prefix scans on both engines, and durability of the RocksDB one across
// reopen and kill -9 (an acknowledged Put is never lost).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "storage_test_util.h"
#include "tidemark/storage/state_store.h"

namespace tidemark::testing {
namespace {

std::map<std::string, std::string> ScanAll(StateStore& s, std::string_view prefix) {
  std::map<std::string, std::string> out;
  Status st = s.Scan(prefix, [&](std::string_view k, std::string_view v) {
    out[std::string(k)] = std::string(v);
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

void ExerciseStore(StateStore& s) {
  ASSERT_OK(s.Put("silence/b", "2"));
  ASSERT_OK(s.Put("silence/a", "1"));
  ASSERT_OK(s.Put("nflog/a", "x"));
  ASSERT_OK(s.Put("silence/a", "1bis"));  // overwrite
  auto sil = ScanAll(s, "silence/");
  ASSERT_EQ(sil.size(), 2u);
  EXPECT_EQ(sil["silence/a"], "1bis");
  EXPECT_EQ(sil["silence/b"], "2");
  EXPECT_EQ(ScanAll(s, "nflog/").size(), 1u);
  EXPECT_EQ(ScanAll(s, "").size(), 3u);
  ASSERT_OK(s.Delete("silence/b"));
  ASSERT_OK(s.Delete("silence/never-there"));
  EXPECT_EQ(ScanAll(s, "silence/").size(), 1u);
  // A scan stops at the callback's first error and returns it.
  int calls = 0;
  Status st = s.Scan("", [&](std::string_view, std::string_view) {
    ++calls;
    return Status::Corruption("stop");
  });
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_EQ(calls, 1);
}

TEST(MemStateStore, PutDeleteScan) {
  auto s = NewMemStateStore();
  ExerciseStore(*s);
  auto mem = NewMemStorage();
  ExerciseStore(mem->State());
}

class TsdbStateStoreTest : public TsdbStoreTest {};

TEST_F(TsdbStateStoreTest, PutDeleteScanAndReopen) {
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore());
    ExerciseStore(store->State());
    ASSERT_OK(store->Close());
    EXPECT_EQ(store->State().Put("k", "v").code(), StatusCode::kUnavailable);
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore());
  auto all = ScanAll(store->State(), "");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all["silence/a"], "1bis");
  EXPECT_EQ(all["nflog/a"], "x");
}

// A child puts keys and reports each after Put returned; the parent kills it with SIGKILL and
// every reported key must be there on reopen.
TEST_F(TsdbStateStoreTest, AcknowledgedPutsSurviveKill9) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenStore();
    if (!store.ok()) _exit(2);
    for (int i = 0;; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "k/%08d", i);
      if (!(*store)->State().Put(key, "value").ok()) _exit(3);
      if (write(fds[1], &i, sizeof(i)) != sizeof(i)) _exit(4);
    }
  }
  close(fds[1]);
  int last = -1, v = 0;
  while (last < 20 && read(fds[0], &v, sizeof(v)) == sizeof(v)) last = v;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_GE(last, 20);
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore());
  auto all = ScanAll(store->State(), "k/");
  EXPECT_GE(static_cast<int>(all.size()), last + 1);
}

}  // namespace
}  // namespace tidemark::testing
