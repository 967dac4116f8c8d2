// The same append/query semantics cases run against the in-memory store and the RocksDB store.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <regex>
#include <set>

#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

class StorageConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mem") {
      db_ = NewMemStorage();
    } else {
      ASSERT_FALSE(dir_.path().empty());
      StorageOptions o;
      o.dir = dir_.path();
      ASSERT_OK_AND_ASSIGN(db_, Storage::Open(o));
    }
  }
  void TearDown() override {
    if (db_) EXPECT_OK(db_->Close());
  }

  std::vector<Sample> SamplesOf(const Labels& l, Timestamp mint = kMinTimestamp,
                                Timestamp maxt = kMaxTimestamp) {
    Matchers m;
    for (const auto& lb : l) m.push_back(Eq(lb.name, lb.value));
    auto r = Query(*db_, m, mint, maxt);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->empty()) return {};
    EXPECT_EQ(r->size(), 1u);
    return (*r)[0].samples;
  }

  TempDir dir_;
  std::unique_ptr<Storage> db_;
};

const Labels kA{{"__name__", "up"}, {"job", "api"}};
const Labels kB{{"__name__", "up"}, {"job", "db"}};

// A regex over many values unions their postings: created in turn and host by host, the refs of
// the values interleave in some lists and follow each other in others; every match comes back
// once.
TEST_P(StorageConformanceTest, RegexOverManyValuesReturnsEachMatchOnce) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 40; ++i) {
    const int h = i * 7 % 40;  // every host once, in scrambled order
    for (int m = 0; m < 3; ++m) {
      Labels l{{"__name__", "m" + std::to_string(m)},
               {"instance", "host-" + std::to_string(h)},
               {"zone", h % 3 ? "a" : "b"}};
      ASSERT_OK(app->Append(0, l, {0, 1000, 1.0}).status());
    }
  }
  ASSERT_OK(app->Commit());
  for (const char* re : {"host-.*", "host-1.*", "host-(3|7|11|2.)", "host-[0-9]"}) {
    ASSERT_OK_AND_ASSIGN(auto all,
                         Query(*db_, {M(MatchType::kRegexMatch, "instance", re)}, 0, 2000));
    std::set<std::string> seen;
    std::regex full(re);
    size_t want = 0;
    for (int h = 0; h < 40; ++h) want += std::regex_match("host-" + std::to_string(h), full) ? 3 : 0;
    for (const auto& sd : all) EXPECT_TRUE(seen.insert(sd.labels.ToString()).second) << re;
    EXPECT_EQ(all.size(), want) << re;
    ASSERT_OK_AND_ASSIGN(auto zone_a, Query(*db_, {M(MatchType::kRegexMatch, "instance", re),
                                                  Eq("zone", "a")}, 0, 2000));
    EXPECT_LT(zone_a.size(), want) << re;
    EXPECT_GT(zone_a.size(), 0u) << re;
  }
}

TEST_P(StorageConformanceTest, AppendedSamplesAreReturnedInOrder) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK(app->Append(0, kA, {0, 1000 + i * 15, i * 1.5}).status());
  }
  ASSERT_OK(app->Commit());
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(s[i].t, 1000 + i * 15);
    EXPECT_EQ(s[i].v, i * 1.5);
  }
}

TEST_P(StorageConformanceTest, SamplesVisibleOnlyAfterCommit) {
  auto app = db_->NewAppender();
  ASSERT_OK(app->Append(0, kA, {0, 10, 1}).status());
  EXPECT_TRUE(SamplesOf(kA).empty());
  ASSERT_OK(app->Commit());
  EXPECT_EQ(SamplesOf(kA).size(), 1u);
}

TEST_P(StorageConformanceTest, RollbackDiscardsStagedSamples) {
  auto app = db_->NewAppender();
  ASSERT_OK(app->Append(0, kA, {0, 10, 1}).status());
  ASSERT_OK(app->Rollback());
  ASSERT_OK(app->Commit());
  EXPECT_TRUE(SamplesOf(kA).empty());
  ASSERT_OK_AND_ASSIGN(auto q, db_->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto names, q->LabelNames({}));
  EXPECT_TRUE(names.empty());
}

TEST_P(StorageConformanceTest, SpecialFloatsRoundTripBitExact) {
  const double values[] = {StaleNaN(),
                           std::bit_cast<double>(uint64_t{0x7ff8000000000001ULL}),
                           std::bit_cast<double>(uint64_t{0xfff4000000000abcULL}),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           -0.0,
                           0.0,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max()};
  auto app = db_->NewAppender();
  Timestamp t = 0;
  for (double v : values) ASSERT_OK(app->Append(0, kA, {0, t += 1000, v}).status());
  ASSERT_OK(app->Commit());
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), std::size(values));
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(Bits(s[i].v), Bits(values[i])) << i;
}

TEST_P(StorageConformanceTest, OutOfOrderWithinWindowIsMerged) {
  ASSERT_OK(AppendOne(*db_, kA, 600'000, 6));
  ASSERT_OK(AppendOne(*db_, kA, 300'000, 3));   // 5 min older: inside the 10 min window
  ASSERT_OK(AppendOne(*db_, kA, 450'000, 4.5));
  ASSERT_OK(AppendOne(*db_, kA, 700'000, 7));
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].t, 300'000);
  EXPECT_EQ(s[1].t, 450'000);
  EXPECT_EQ(s[2].t, 600'000);
  EXPECT_EQ(s[3].t, 700'000);
  EXPECT_EQ(s[1].v, 4.5);
}

TEST_P(StorageConformanceTest, OlderThanWindowIsOutOfRange) {
  ASSERT_OK(AppendOne(*db_, kA, 1'000'000, 1));
  auto app = db_->NewAppender();
  auto r = app->Append(0, kA, {0, 1'000'000 - 600'001, 2});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  // The appender stays usable after a per-sample error.
  ASSERT_OK(app->Append(0, kA, {0, 1'000'000 - 600'000, 3}).status());
  ASSERT_OK(app->Commit());
  EXPECT_EQ(SamplesOf(kA).size(), 2u);
  EXPECT_EQ(db_->Stats().rejected_out_of_order, 1u);
}

TEST_P(StorageConformanceTest, ExactDuplicateIsNoOp) {
  ASSERT_OK(AppendOne(*db_, kA, 1000, 1));
  ASSERT_OK(AppendOne(*db_, kA, 2000, 2));
  ASSERT_OK(AppendOne(*db_, kA, 1000, 1));
  ASSERT_OK(AppendOne(*db_, kA, 2000, 2));
  EXPECT_EQ(AppendOne(*db_, kA, 1000, StaleNaN()).code(), StatusCode::kAlreadyExists);
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].v, 1);
  EXPECT_EQ(db_->Stats().num_samples_appended, 2u);
}

TEST_P(StorageConformanceTest, SameTimestampDifferentValueIsAlreadyExists) {
  ASSERT_OK(AppendOne(*db_, kA, 1000, 1));
  Status st = AppendOne(*db_, kA, 1000, 2);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->Stats().rejected_duplicate, 1u);
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].v, 1);
}

TEST_P(StorageConformanceTest, ConflictWithinOneBatchIsAlreadyExists) {
  auto app = db_->NewAppender();
  ASSERT_OK(app->Append(0, kA, {0, 1000, 1}).status());
  ASSERT_OK(app->Append(0, kA, {0, 2000, 2}).status());
  auto r = app->Append(0, kA, {0, 1000, 5});
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  ASSERT_OK(app->Append(0, kA, {0, 1000, 1}).status());  // exact twin: fine
  ASSERT_OK(app->Commit());
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].v, 1);
}

TEST_P(StorageConformanceTest, InvalidLabelsAreRejected) {
  auto app = db_->NewAppender();
  auto r = app->Append(0, Labels{{"__name__", "bad-name"}}, {0, 1, 1});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = app->Append(0, Labels{}, {0, 1, 1});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Stats().rejected_invalid, 2u);
}

TEST_P(StorageConformanceTest, TimeRangeBoundsAreInclusive) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 10; ++i) ASSERT_OK(app->Append(0, kA, {0, i * 100, double(i)}).status());
  ASSERT_OK(app->Commit());
  auto s = SamplesOf(kA, 200, 500);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.front().t, 200);
  EXPECT_EQ(s.back().t, 500);
  EXPECT_TRUE(SamplesOf(kA, 1000, 2000).empty());
}

class MatcherConformanceTest : public StorageConformanceTest {
 protected:
  void SetUp() override {
    StorageConformanceTest::SetUp();
    auto app = db_->NewAppender();
    const Labels sets[] = {
        {{"__name__", "http_requests"}, {"job", "api"}, {"path", "/v1/a"}},
        {{"__name__", "http_requests"}, {"job", "api"}, {"path", "/v2/b"}},
        {{"__name__", "http_requests"}, {"job", "web"}},
        {{"__name__", "up"}, {"job", "api"}},
        {{"__name__", "up"}, {"job", "db"}, {"env", "prod"}},
    };
    for (const auto& l : sets) ASSERT_OK(app->Append(0, l, {0, 1000, 1}).status());
    ASSERT_OK(app->Commit());
  }
  std::vector<std::string> Select(const Matchers& m) {
    auto r = Query(*db_, m);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& s : *r) out.push_back(s.labels.ToString());
    }
    return out;
  }
};

TEST_P(MatcherConformanceTest, EqualAndNotEqual) {
  EXPECT_EQ(Select({Eq("__name__", "up")}),
            (std::vector<std::string>{R"(up{env="prod", job="db"})", R"(up{job="api"})"}));
  EXPECT_EQ(Select({Eq("__name__", "http_requests"), M(MatchType::kNotEqual, "job", "api")}),
            (std::vector<std::string>{R"(http_requests{job="web"})"}));
}

TEST_P(MatcherConformanceTest, EmptyMatchingMatchersIncludeSeriesWithoutTheLabel) {
  // path="" selects series without a path label.
  EXPECT_EQ(Select({Eq("__name__", "http_requests"), Eq("path", "")}),
            (std::vector<std::string>{R"(http_requests{job="web"})"}));
  // path=~".*" matches everything, with or without the label.
  EXPECT_EQ(Select({Eq("__name__", "http_requests"), M(MatchType::kRegexMatch, "path", ".*")})
                .size(),
            3u);
  // path=~"/v1/.*|" : the v1 series and the one lacking a path.
  EXPECT_EQ(Select({Eq("__name__", "http_requests"),
                    M(MatchType::kRegexMatch, "path", "/v1/.*|")}),
            (std::vector<std::string>{R"(http_requests{job="api", path="/v1/a"})",
                                      R"(http_requests{job="web"})"}));
  // path!="" selects only series that have it.
  EXPECT_EQ(Select({M(MatchType::kNotEqual, "path", "")}).size(), 2u);
  // env!~"prod" keeps series lacking env.
  EXPECT_EQ(Select({Eq("__name__", "up"), M(MatchType::kRegexNoMatch, "env", "prod")}),
            (std::vector<std::string>{R"(up{job="api"})"}));
}

TEST_P(MatcherConformanceTest, RegexFastPathsAndFullRegex) {
  EXPECT_EQ(Select({M(MatchType::kRegexMatch, "job", "db|web")}),
            (std::vector<std::string>{R"(http_requests{job="web"})",
                                      R"(up{env="prod", job="db"})"}));
  EXPECT_EQ(Select({M(MatchType::kRegexMatch, "path", "/v2.*")}),
            (std::vector<std::string>{R"(http_requests{job="api", path="/v2/b"})"}));
  EXPECT_EQ(Select({M(MatchType::kRegexMatch, "job", "a.i")}).size(), 3u);
  EXPECT_EQ(Select({M(MatchType::kRegexMatch, "job", "ap")}).size(), 0u);  // fully anchored
  EXPECT_EQ(Select({M(MatchType::kRegexNoMatch, "job", "api|web")}),
            (std::vector<std::string>{R"(up{env="prod", job="db"})"}));
}

TEST_P(MatcherConformanceTest, LabelNamesAndValues) {
  ASSERT_OK_AND_ASSIGN(auto q, db_->NewQuerier(0, 5000));
  ASSERT_OK_AND_ASSIGN(auto names, q->LabelNames({}));
  EXPECT_EQ(names, (std::vector<std::string>{"__name__", "env", "job", "path"}));
  ASSERT_OK_AND_ASSIGN(names, q->LabelNames({Eq("__name__", "up")}));
  EXPECT_EQ(names, (std::vector<std::string>{"__name__", "env", "job"}));
  ASSERT_OK_AND_ASSIGN(auto values, q->LabelValues("job", {}));
  EXPECT_EQ(values, (std::vector<std::string>{"api", "db", "web"}));
  ASSERT_OK_AND_ASSIGN(values, q->LabelValues("job", {Eq("__name__", "up")}));
  EXPECT_EQ(values, (std::vector<std::string>{"api", "db"}));
  ASSERT_OK_AND_ASSIGN(auto q2, db_->NewQuerier(2000, 5000));  // no samples there
  ASSERT_OK_AND_ASSIGN(values, q2->LabelValues("job", {}));
  EXPECT_TRUE(values.empty());
}

TEST_P(MatcherConformanceTest, MaxSeriesHintIsEnforced) {
  SelectHints h;
  h.max_series = 2;
  auto r = Query(*db_, {Eq("__name__", "http_requests")}, kMinTimestamp, kMaxTimestamp, &h);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  h.max_series = 3;
  r = Query(*db_, {Eq("__name__", "http_requests")}, kMinTimestamp, kMaxTimestamp, &h);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 3u);
}

TEST_P(StorageConformanceTest, SeekIsForwardOnlyAndFindsFirstAtOrAfter) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 500; ++i) ASSERT_OK(app->Append(0, kA, {0, i * 10, double(i)}).status());
  ASSERT_OK(app->Commit());
  ASSERT_OK_AND_ASSIGN(auto q, db_->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto set, q->Select(true, nullptr, {Eq("job", "api")}));
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator(nullptr);
  ASSERT_EQ(it->Seek(2345), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 2350);
  ASSERT_EQ(it->Seek(100), ValueType::kFloat);  // backwards: stays
  EXPECT_EQ(it->At().t, 2350);
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 2360);
  EXPECT_EQ(it->Seek(4990), ValueType::kFloat);
  EXPECT_EQ(it->Seek(4991), ValueType::kNone);
  EXPECT_FALSE(set->Next());
}

// ReadBatch hands over exactly the samples At()/Next() would, whatever the buffer size and
// limit, and leaves the iterator where the sample-by-sample loop would: over several head chunks,
// with out-of-order samples merged in, and (RocksDB) from persisted and cold-compacted chunks.
TEST_P(StorageConformanceTest, ReadBatchYieldsWhatNextAndAtYield) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK(app->Append(0, kA, {0, 1'000'000 + i * 1000, i * 0.5}).status());
    ASSERT_OK(app->Append(0, kB, {0, 1'000'000 + i * 1000, double(i % 7)}).status());
  }
  ASSERT_OK(app->Commit());
  for (int i = 0; i < 20; ++i) ASSERT_OK(AppendOne(*db_, kB, 1'400'500 + i * 1000, -1.0 * i));
  auto check = [&](const char* stage) {
    for (const Labels* l : {&kA, &kB}) {
      for (auto [mint, maxt] : {std::pair<Timestamp, Timestamp>{kMinTimestamp, kMaxTimestamp},
                                {1'100'000, 1'450'000}, {1'119'500, 1'120'000}}) {
        ASSERT_OK_AND_ASSIGN(auto q, db_->NewQuerier(mint, maxt));
        ASSERT_OK_AND_ASSIGN(auto set, q->Select(true, nullptr, {Eq("job", std::string(l->Get("job")))}));
        ASSERT_TRUE(set->Next());
        std::vector<Sample> want;
        auto it = set->At().Iterator(nullptr);
        while (it->Next() == ValueType::kFloat) want.push_back(it->At());
        ASSERT_FALSE(want.empty());
        for (size_t n : {size_t{1}, size_t{7}, size_t{120}, size_t{1000}}) {
          for (Timestamp limit : {kMaxTimestamp, want[want.size() / 2].t, want[0].t - 1}) {
            SCOPED_TRACE(std::string(stage) + " " + l->ToString() + " mint=" +
                         std::to_string(mint) + " n=" + std::to_string(n) +
                         " limit=" + std::to_string(limit));
            it = set->At().Iterator(std::move(it));
            std::vector<Sample> got(n);
            std::vector<Sample> all;
            ValueType vt = it->Next();
            while (vt == ValueType::kFloat) {
              const size_t k = it->ReadBatch(limit, got.data(), n, &vt);
              all.insert(all.end(), got.begin(), got.begin() + static_cast<ptrdiff_t>(k));
              if (k < n) break;
            }
            size_t expect = 0;
            while (expect < want.size() && want[expect].t <= limit) ++expect;
            ASSERT_EQ(all.size(), expect);
            for (size_t i = 0; i < expect; ++i) {
              EXPECT_EQ(all[i].t, want[i].t) << i;
              EXPECT_EQ(all[i].v, want[i].v) << i;
            }
            // Stopped on the first sample past the limit, which Next() continues from.
            if (expect < want.size()) {
              ASSERT_EQ(vt, ValueType::kFloat);
              EXPECT_EQ(it->At().t, want[expect].t);
              if (expect + 1 < want.size()) {
                ASSERT_EQ(it->Next(), ValueType::kFloat);
                EXPECT_EQ(it->At().t, want[expect + 1].t);
              }
            } else {
              EXPECT_EQ(vt, ValueType::kNone);
            }
            EXPECT_OK(it->status());
          }
        }
      }
    }
  };
  check("head");
  if (GetParam() == "mem") return;
  ASSERT_OK(db_->Flush());
  check("persisted");
  ASSERT_OK(db_->Compact(CompactScope::kEverything));
  check("cold");
}

TEST_P(StorageConformanceTest, DeleteSeriesRemovesRange) {
  auto app = db_->NewAppender();
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK(app->Append(0, kA, {0, i * 1000, double(i)}).status());
    ASSERT_OK(app->Append(0, kB, {0, i * 1000, double(i)}).status());
  }
  ASSERT_OK(app->Commit());
  ASSERT_OK(db_->DeleteSeries({Eq("job", "api")}, 100'000, 199'000));
  auto s = SamplesOf(kA);
  ASSERT_EQ(s.size(), 200u);
  EXPECT_EQ(s[99].t, 99'000);
  EXPECT_EQ(s[100].t, 200'000);
  EXPECT_EQ(SamplesOf(kB).size(), 300u);
  ASSERT_OK(db_->DeleteSeries({Eq("job", "api")}, kMinTimestamp, kMaxTimestamp));
  EXPECT_TRUE(SamplesOf(kA).empty());
  // A deleted series can receive samples again.
  ASSERT_OK(AppendOne(*db_, kA, 500'000, 1));
  EXPECT_EQ(SamplesOf(kA).size(), 1u);
}

// An iterator reads the series as selected, whatever is written after: here an out-of-order
// sample lands in the middle of what it is reading and a deletion removes another part (the
// in-memory store copies a series on write while a reader holds it).
TEST_P(StorageConformanceTest, AnIteratorKeepsWhatWasSelectedThroughLaterWrites) {
  auto app = db_->NewAppender();
  for (int i = 1; i <= 10; ++i) ASSERT_OK(app->Append(0, kA, {0, i * 60'000, double(i)}).status());
  ASSERT_OK(app->Commit());
  ASSERT_OK_AND_ASSIGN(auto q, db_->NewQuerier(kMinTimestamp, kMaxTimestamp));
  ASSERT_OK_AND_ASSIGN(auto set, q->Select(true, nullptr, {Eq("job", "api")}));
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator(nullptr);
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At().t, 60'000);
  ASSERT_OK(AppendOne(*db_, kA, 330'000, -1));  // between the 5th and 6th samples
  ASSERT_OK(db_->DeleteSeries({Eq("job", "api")}, 420'000, 480'000));
  std::vector<Timestamp> rest;
  while (it->Next() != ValueType::kNone) rest.push_back(it->At().t);
  EXPECT_OK(it->status());
  const std::vector<Timestamp> want{120'000, 180'000, 240'000, 300'000, 360'000,
                                    420'000, 480'000, 540'000, 600'000};
  EXPECT_EQ(rest, want);
  // A new selection sees both writes.
  auto now = SamplesOf(kA);
  ASSERT_EQ(now.size(), 9u);
  EXPECT_EQ(now[5].t, 330'000);
  EXPECT_EQ(now[6].t, 360'000);
  EXPECT_EQ(now[7].t, 540'000);
}

TEST_P(StorageConformanceTest, ManySeriesSortedByLabels) {
  auto app = db_->NewAppender();
  for (int i = 99; i >= 0; --i) {
    Labels l{{"__name__", "m"}, {"i", std::to_string(i)}};
    ASSERT_OK(app->Append(0, l, {0, 1, double(i)}).status());
  }
  ASSERT_OK(app->Commit());
  ASSERT_OK_AND_ASSIGN(auto all, Query(*db_, {Eq("__name__", "m")}));
  ASSERT_EQ(all.size(), 100u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].labels, all[i].labels);
}

INSTANTIATE_TEST_SUITE_P(Stores, StorageConformanceTest, ::testing::Values("mem", "rocksdb"));
INSTANTIATE_TEST_SUITE_P(Stores, MatcherConformanceTest, ::testing::Values("mem", "rocksdb"));

}  // namespace
}  // namespace tidemark::testing
