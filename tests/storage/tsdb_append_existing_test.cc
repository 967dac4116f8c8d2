// Appender::AppendExisting on the RocksDB store: the remote-write fast path must stage exactly
// what Append() would, and hand every other case (new series, rejections, labels not in canonical
// form) back to Append() without counting anything.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

class TsdbAppendExistingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    o.out_of_order_window_ms = 60'000;
    auto opened = Storage::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
  }

  // The sorted pairs of `l`, viewing its strings.
  static std::vector<LabelPairView> Pairs(const Labels& l) {
    std::vector<LabelPairView> out;
    for (const Label& x : l) out.push_back({x.name, x.value});
    return out;
  }

  // One sample through Appender::AppendExisting: its series ref, or 0 when it was left to
  // Append().
  static SeriesRef TryAppendExisting(Appender& app, std::span<const LabelPairView> pairs,
                                     const SampleIn& sample) {
    const SeriesViewIn item{pairs, std::span(&sample, 1)};
    size_t partial = 0;
    SeriesRef ref = 0;
    return app.AppendExisting(std::span(&item, 1), &partial, &ref) == 1 ? ref : 0;
  }

  // (t, value bits) of the stored samples of `l`'s metric.
  std::vector<std::pair<Timestamp, uint64_t>> Samples(const Labels& l) {
    auto got = Query(*db_, {Eq("__name__", std::string(l.MetricName()))});
    EXPECT_TRUE(got.ok());
    std::vector<std::pair<Timestamp, uint64_t>> out;
    if (!got.ok() || got->empty()) return out;
    for (const Sample& s : got->front().samples) out.emplace_back(s.t, Bits(s.v));
    return out;
  }
  static std::vector<std::pair<Timestamp, uint64_t>> Want(std::vector<Sample> v) {
    std::vector<std::pair<Timestamp, uint64_t>> out;
    for (const Sample& s : v) out.emplace_back(s.t, Bits(s.v));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Storage> db_;
  const Labels labels_{{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}};
};

TEST_F(TsdbAppendExistingTest, UnknownSeriesIsLeftToAppend) {
  auto app = db_->NewAppender();
  const auto pairs = Pairs(labels_);
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 1000, 1}), SeriesRef{0});
  ASSERT_OK(app->Commit());
  EXPECT_EQ(db_->Stats().num_series, uint64_t{0});
  EXPECT_EQ(db_->Stats().num_samples_appended, uint64_t{0});
}

TEST_F(TsdbAppendExistingTest, ExistingSeriesIsAppendedWithTheSameRef) {
  ASSERT_OK(AppendOne(*db_, labels_, 1000, 1));
  auto app = db_->NewAppender();
  auto ref = app->Append(0, labels_, {0, 2000, 2});
  ASSERT_OK(ref.status());
  const auto pairs = Pairs(labels_);
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 3000, 3}), *ref);
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 4000, 4}), *ref);
  ASSERT_OK(app->Commit());
  EXPECT_EQ(Samples(labels_), Want({{1000, 1}, {2000, 2}, {3000, 3}, {4000, 4}}));
  EXPECT_EQ(db_->Stats().num_series, uint64_t{1});
}

TEST_F(TsdbAppendExistingTest, LabelsNotInCanonicalFormAreLeftToAppend) {
  ASSERT_OK(AppendOne(*db_, labels_, 1000, 1));
  auto app = db_->NewAppender();
  auto pairs = Pairs(labels_);
  std::swap(pairs[1], pairs[2]);  // unsorted: Append sorts and validates
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 2000, 2}), SeriesRef{0});
  pairs = Pairs(labels_);
  pairs.push_back({"zone", ""});  // an empty value means "absent": Append drops it
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 2000, 2}), SeriesRef{0});
  pairs = Pairs(labels_);
  pairs.pop_back();  // a different (sub)set is a different series
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 2000, 2}), SeriesRef{0});
  ASSERT_OK(app->Commit());
  EXPECT_EQ(Samples(labels_).size(), size_t{1});
}

TEST_F(TsdbAppendExistingTest, DuplicatesAreNoOpsAndRejectionsGoBackUncounted) {
  ASSERT_OK(AppendOne(*db_, labels_, 100'000, 1));
  const auto pairs = Pairs(labels_);
  auto app = db_->NewAppender();
  // Exact duplicate of a committed sample: accepted as a no-op.
  EXPECT_NE(TryAppendExisting(*app, pairs, {0, 100'000, 1}), SeriesRef{0});
  // Same timestamp, different value; and older than the out-of-order window: both left to
  // Append, which reports and counts them once.
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 100'000, 2}), SeriesRef{0});
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 1'000, 2}), SeriesRef{0});
  StorageStats st = db_->Stats();
  EXPECT_EQ(st.rejected_duplicate, uint64_t{0});
  EXPECT_EQ(st.rejected_out_of_order, uint64_t{0});
  EXPECT_EQ(app->Append(0, labels_, {0, 100'000, 2}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(app->Append(0, labels_, {0, 1'000, 2}).status().code(), StatusCode::kOutOfRange);
  // Within one batch: a staged twin with the same value is a no-op, a different value is left
  // to Append (which reports the conflict).
  EXPECT_NE(TryAppendExisting(*app, pairs, {0, 101'000, 5}), SeriesRef{0});
  EXPECT_NE(TryAppendExisting(*app, pairs, {0, 101'000, 5}), SeriesRef{0});
  EXPECT_EQ(TryAppendExisting(*app, pairs, {0, 101'000, 6}), SeriesRef{0});
  EXPECT_EQ(app->Append(0, labels_, {0, 101'000, 6}).status().code(), StatusCode::kAlreadyExists);
  // In-window out-of-order sample: staged.
  EXPECT_NE(TryAppendExisting(*app, pairs, {0, 90'000, 7}), SeriesRef{0});
  ASSERT_OK(app->Commit());
  st = db_->Stats();
  EXPECT_EQ(st.rejected_duplicate, uint64_t{2});
  EXPECT_EQ(st.rejected_out_of_order, uint64_t{1});
  EXPECT_EQ(Samples(labels_), Want({{90'000, 7}, {100'000, 1}, {101'000, 5}}));
}

// The run form stops at the first series it cannot append whole and says how far it got, so the
// caller can hand exactly the rest to Append().
TEST_F(TsdbAppendExistingTest, RunStopsAtTheFirstSeriesItCannotAppendWhole) {
  std::vector<Labels> known;
  for (int i = 0; i < 40; ++i) {
    known.push_back(Labels{{"__name__", "m" + std::to_string(i)}, {"job", "node"}});
    ASSERT_OK(AppendOne(*db_, known.back(), 100'000, i));
  }
  const Labels unknown{{"__name__", "new"}, {"job", "node"}};
  std::vector<std::vector<LabelPairView>> pairs;
  for (const Labels& l : known) pairs.push_back(Pairs(l));
  const auto unknown_pairs = Pairs(unknown);
  const std::vector<SampleIn> next{{0, 115'000, 1}};
  const std::vector<SampleIn> twice{{0, 115'000, 2}, {0, 130'000, 3}};
  const std::vector<SampleIn> conflicting{{0, 115'000, 4}, {0, 100'000, 99}, {0, 130'000, 5}};

  std::vector<SeriesViewIn> run;
  for (int i = 0; i < 30; ++i) run.push_back({pairs[i], i == 7 ? twice : next});
  run.push_back({unknown_pairs, next});
  run.push_back({pairs[30], next});
  auto app = db_->NewAppender();
  size_t partial = 99;
  EXPECT_EQ(app->AppendExisting(run, &partial, nullptr), size_t{30});
  EXPECT_EQ(partial, size_t{0});
  // The rest after the unknown series; then a series whose second sample conflicts with a
  // stored one: its first sample is appended, the conflict is left to Append() uncounted.
  std::vector<SeriesViewIn> rest{{pairs[30], next}, {pairs[31], conflicting}, {pairs[32], next}};
  EXPECT_EQ(app->AppendExisting(rest, &partial, nullptr), size_t{1});
  EXPECT_EQ(partial, size_t{1});
  EXPECT_EQ(db_->Stats().rejected_duplicate, uint64_t{0});
  ASSERT_OK(app->Commit());
  EXPECT_EQ(Samples(known[0]), Want({{100'000, 0}, {115'000, 1}}));
  EXPECT_EQ(Samples(known[7]), Want({{100'000, 7}, {115'000, 2}, {130'000, 3}}));
  EXPECT_EQ(Samples(known[30]), Want({{100'000, 30}, {115'000, 1}}));
  EXPECT_EQ(Samples(known[31]), Want({{100'000, 31}, {115'000, 4}}));
  EXPECT_EQ(Samples(known[32]), Want({{100'000, 32}}));
  EXPECT_EQ(db_->Stats().num_series, uint64_t{40});
}


// A hint is only a guess: a right one finds the series without hashing, a wrong one (another
// series' ref, or a ref that never existed) must not append to it; the labels decide, and an
// unknown series is still left to Append(). Alone and inside a run (the pipelined path).
TEST_F(TsdbAppendExistingTest, HintsAreCheckedAgainstTheLabels) {
  std::vector<Labels> known;
  std::vector<SeriesRef> refs;
  for (int i = 0; i < 20; ++i) {
    known.push_back(Labels{{"__name__", "m" + std::to_string(i)}, {"job", "x"}});
    auto app = db_->NewAppender();
    auto r = app->Append(0, known.back(), {0, 100'000, double(i)});
    ASSERT_OK(r.status());
    refs.push_back(*r);
    ASSERT_OK(app->Commit());
  }
  std::vector<std::vector<LabelPairView>> pairs;
  for (const Labels& l : known) pairs.push_back(Pairs(l));
  const Labels unknown{{"__name__", "never"}, {"job", "x"}};
  const auto unknown_pairs = Pairs(unknown);
  const std::vector<SampleIn> next{{0, 115'000, 1}};
  auto app = db_->NewAppender();
  size_t partial = 0;
  SeriesRef got = 0;
  // Alone: right hint, another series' ref, a ref past every series.
  const SeriesViewIn right{pairs[0], next, refs[0]};
  EXPECT_EQ(app->AppendExisting(std::span(&right, 1), &partial, &got), size_t{1});
  EXPECT_EQ(got, refs[0]);
  const SeriesViewIn wrong{pairs[1], next, refs[2]};
  EXPECT_EQ(app->AppendExisting(std::span(&wrong, 1), &partial, &got), size_t{1});
  EXPECT_EQ(got, refs[1]);
  const SeriesViewIn bogus{pairs[2], next, refs.back() + 1000};
  EXPECT_EQ(app->AppendExisting(std::span(&bogus, 1), &partial, &got), size_t{1});
  EXPECT_EQ(got, refs[2]);
  // A run: hints right, swapped, missing; then an unknown series hinted with a real ref.
  std::vector<SeriesViewIn> run;
  for (int i = 3; i < 20; ++i) {
    const SeriesRef hint = i % 3 == 0 ? refs[i] : i % 3 == 1 ? refs[(i + 1) % 20] : 0;
    run.push_back({pairs[i], next, hint});
  }
  run.push_back({unknown_pairs, next, refs[5]});
  std::vector<SeriesRef> run_refs(run.size(), 0);
  EXPECT_EQ(app->AppendExisting(run, &partial, run_refs.data()), size_t{17});
  for (int i = 3; i < 20; ++i) EXPECT_EQ(run_refs[i - 3], refs[i]) << i;
  ASSERT_OK(app->Commit());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Samples(known[i]), Want({{100'000, double(i)}, {115'000, 1}})) << i;
  EXPECT_EQ(db_->Stats().num_series, uint64_t{20});
}

}  // namespace
}  // namespace tidemark::testing
