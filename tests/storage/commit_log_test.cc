// CommitLog: readers see every commit after their cursor (out-of-order samples included), the
// cursor and the unconsumed commits survive Flush, reopen and truncation, and a removed reader
// releases its hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage_test_util.h"
#include "tidemark/storage/commit_log.h"

namespace tidemark::testing {
namespace {

struct Got {
  uint64_t seq;
  std::vector<CommittedSample> samples;
};

std::vector<Got> ReadAll(CommitLog& log, uint64_t after, size_t max = 1 << 30) {
  std::vector<Got> out;
  Status st = log.Read(after, max, [&](uint64_t seq, std::span<const CommittedSample> s) {
    out.push_back({seq, std::vector<CommittedSample>(s.begin(), s.end())});
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class CommitLogTest : public TsdbStoreTest {};

TEST_F(CommitLogTest, MemoryStoreHasNone) { EXPECT_EQ(NewMemStorage()->Commits(), nullptr); }

TEST_F(CommitLogTest, ReaderSeesCommitsAfterItsCursorAcrossReopen) {
  const Labels a{{"__name__", "a"}}, b{{"__name__", "b"}};
  uint64_t cursor = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto s, OpenStore());
    ASSERT_OK(AppendOne(*s, a, 1000, 1));  // before the reader: not its business
    ASSERT_OK_AND_ASSIGN(cursor, s->Commits()->OpenReader("r1"));
    ASSERT_OK(AppendOne(*s, a, 2000, 2));
    ASSERT_OK(AppendOne(*s, b, 2000, 5));
    ASSERT_OK(AppendOne(*s, a, 1500, 1.5));  // out of order, still within the window
    auto got = ReadAll(*s->Commits(), cursor);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[2].samples[0].t, 1500);
    EXPECT_EQ(got[2].samples[0].v, 1.5);
    ASSERT_OK_AND_ASSIGN(auto lb, s->Commits()->SeriesLabels(got[1].samples[0].ref));
    ASSERT_TRUE(lb.has_value());
    EXPECT_EQ(*lb, b);
    // Consume the first; Flush persists every chunk and truncates the head log.
    ASSERT_OK(s->Commits()->Advance("r1", got[0].seq));
    ASSERT_OK(s->Flush());
    EXPECT_EQ(ReadAll(*s->Commits(), cursor).size(), 2u) << "consumed commits may go";
    ASSERT_OK(s->Close());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto s, OpenStore());
    ASSERT_OK_AND_ASSIGN(uint64_t c, s->Commits()->OpenReader("r1"));
    EXPECT_GT(c, cursor);
    auto got = ReadAll(*s->Commits(), c);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].samples[0].v, 5);
    EXPECT_EQ(got[1].samples[0].v, 1.5);
    // New commits sort after everything kept.
    ASSERT_OK(AppendOne(*s, b, 3000, 6));
    got = ReadAll(*s->Commits(), c);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_GT(got[2].seq, got[1].seq);
    EXPECT_EQ(s->Commits()->LastSeq(), got[2].seq);
    // Queries are unaffected by the kept records (no duplicates from replay).
    ASSERT_OK_AND_ASSIGN(auto data, Query(*s, {Eq("__name__", "a")}));
    ASSERT_EQ(data.size(), 1u);
    EXPECT_EQ(data[0].samples.size(), 3u);
    // Max samples bounds one call; a removed reader releases its hold.
    EXPECT_EQ(ReadAll(*s->Commits(), c, 1).size(), 1u);
    ASSERT_OK(s->Commits()->RemoveReader("r1"));
    ASSERT_OK_AND_ASSIGN(auto readers, s->Commits()->Readers());
    EXPECT_TRUE(readers.empty());
    ASSERT_OK(s->Flush());
    EXPECT_TRUE(ReadAll(*s->Commits(), c).empty());
  }
}

TEST_F(CommitLogTest, KeptRecordsDoNotReplayIntoTheHead) {
  const Labels a{{"__name__", "a"}};
  {
    ASSERT_OK_AND_ASSIGN(auto s, OpenStore());
    ASSERT_OK(s->Commits()->OpenReader("r").status());
    for (int i = 0; i < 600; ++i) ASSERT_OK(AppendOne(*s, a, 1000 * i, i));  // > 2 truncations
    ASSERT_OK(s->Flush());
    // Close (by the destructor) keeps them for the reader too.
  }
  ASSERT_OK_AND_ASSIGN(auto s, OpenStore());
  ASSERT_OK_AND_ASSIGN(uint64_t c, s->Commits()->OpenReader("r"));
  EXPECT_EQ(ReadAll(*s->Commits(), c).size(), 600u);
  ASSERT_OK_AND_ASSIGN(auto data, Query(*s, {Eq("__name__", "a")}));
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].samples.size(), 600u);
}

}  // namespace
}  // namespace tidemark::testing
