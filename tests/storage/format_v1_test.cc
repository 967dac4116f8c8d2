// The store format cannot drift: a store written by format v1 (tests/testdata/format_v1/, made by
// format_v1_fixture_test.cc) must open and read back bit for bit, and keep accepting writes.
#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <sstream>

#include "storage/format_v1_fixture.h"
#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

std::vector<SeriesData> LoadExpected() {
  std::ifstream in(FormatV1ExpectedFile(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseExpected(text.str());
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : std::vector<SeriesData>{};
}

void ExpectSameContents(const std::vector<SeriesData>& want, const std::vector<SeriesData>& got) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].labels, want[i].labels) << want[i].labels.ToString();
    const auto& w = want[i].samples;
    const auto& g = got[i].samples;
    ASSERT_EQ(g.size(), w.size()) << want[i].labels.ToString();
    for (size_t j = 0; j < w.size(); ++j) {
      ASSERT_EQ(g[j].t, w[j].t) << want[i].labels.ToString() << " sample " << j;
      ASSERT_EQ(Bits(g[j].v), Bits(w[j].v)) << want[i].labels.ToString() << " at " << w[j].t;
    }
  }
}

class FormatV1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_OK(CopyFormatV1Store(store_));
    want_ = LoadExpected();
    ASSERT_FALSE(want_.empty());
  }
  StorageOptions Options() const {
    StorageOptions o;
    o.dir = store_;
    return o;
  }

  TempDir dir_;
  std::string store_ = dir_.path() + "/store";
  std::vector<SeriesData> want_;
};

// Guards the fixture itself: it must keep holding every kind of record the format has, or the
// other tests would pass without reading them.
TEST_F(FormatV1Test, FixtureHoldsEveryRecordKind) {
  ASSERT_OK_AND_ASSIGN(auto inv, InventoryRaw(store_));
  EXPECT_EQ(inv["meta:format_version"], std::string("\x01", 1));
  EXPECT_FALSE(inv["meta:next_chunk_id"].empty());
  EXPECT_FALSE(inv["meta:next_series_ref"].empty());
  for (const char* family : {"series", "series_hash", "postings", "head_log", "head_mark",
                             "cold_todo", "chunks:1", "chunks:2"}) {
    EXPECT_FALSE(inv[family].empty()) << family << " is empty in the fixture";
  }
  // fx_deleted{part="all"} keeps its series record with no samples left.
  EXPECT_GT(std::stoul(inv["series"]), want_.size());
}

class FormatV1ReadTest : public FormatV1Test, public ::testing::WithParamInterface<int64_t> {};

TEST_P(FormatV1ReadTest, ReadsEverySampleExactly) {
  StorageOptions o = Options();
  o.series_inactive_after_ms = GetParam();
  ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(o));
  ASSERT_OK_AND_ASSIGN(auto got, ReadEverything(*db));
  ExpectSameContents(want_, got);
  // Each series again by all its labels: every postings entry, unicode values included.
  for (const SeriesData& s : want_) {
    Matchers m;
    for (const Label& l : s.labels) m.push_back(Eq(l.name, l.value));
    ASSERT_OK_AND_ASSIGN(auto one, Query(*db, m));
    ExpectSameContents({s}, one);
  }
  ASSERT_OK(db->Close());
}

// Default: old series stay on disk (the on-disk index answers); 0: every series is loaded.
INSTANTIATE_TEST_SUITE_P(Residency, FormatV1ReadTest,
                         ::testing::Values(StorageOptions().series_inactive_after_ms, 0));

TEST_F(FormatV1Test, AcceptsWritesAndReopens) {
  const Labels old_series{{"__name__", "fx_deleted"}, {"part", "middle"}};  // inactive at open
  const Labels gauge{{"__name__", "fx_gauge"}, {"instance", "a:9100"}, {"job", "node"}};
  const Labels fresh{{"__name__", "fx_after_reopen"}, {"zone", "Ελλάδα"}};
  Timestamp newest = kMinTimestamp;
  for (const auto& s : want_) newest = std::max(newest, s.samples.back().t);
  const Timestamp t = newest + 60'000;
  const double nan_bits = std::bit_cast<double>(uint64_t{0x7ff80000000000ab});
  {
    ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(Options()));
    auto app = db->NewAppender();
    ASSERT_OK(app->Append(0, old_series, {0, t, 42.0}).status());
    ASSERT_OK(app->Append(0, gauge, {0, t, nan_bits}).status());
    ASSERT_OK(app->Append(0, fresh, {0, t, -0.0}).status());
    ASSERT_OK(app->Commit());
    ASSERT_OK(db->Close());
  }
  auto add = [&](const Labels& l, double v) {
    auto it = std::find_if(want_.begin(), want_.end(), [&](const SeriesData& s) { return s.labels == l; });
    if (it == want_.end()) it = want_.insert(want_.end(), SeriesData{l, {}});
    it->samples.push_back({t, v});
  };
  add(old_series, 42.0);  // the same series (found through its persisted hash), not a second one
  add(gauge, nan_bits);
  add(fresh, -0.0);
  std::sort(want_.begin(), want_.end(),
            [](const SeriesData& a, const SeriesData& b) { return a.labels < b.labels; });
  ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(Options()));
  ASSERT_OK_AND_ASSIGN(auto got, ReadEverything(*db));
  ExpectSameContents(want_, got);
  ASSERT_OK(db->Close());
}

// Opening marks a version-1 store version 2 (its head log gets version-2 records from then on),
// so an older build refuses it by version; a version this build does not know is refused.
TEST_F(FormatV1Test, OpenMarksTheStoreVersionTwoAndRefusesUnknownVersions) {
  {
    ASSERT_OK_AND_ASSIGN(auto db, Storage::Open(Options()));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto inv, InventoryRaw(store_));
  EXPECT_EQ(inv["meta:format_version"], std::string("\x02", 1));
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), store_, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), store_, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), "format_version", std::string("\x03", 1)).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  auto opened = Storage::Open(Options());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.status().message().find("unsupported format version 3"), std::string::npos)
      << opened.status().ToString();
}

}  // namespace
}  // namespace tidemark::testing
