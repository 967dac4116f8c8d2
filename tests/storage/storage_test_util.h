// Helpers for storage engine tests: temporary directories, a store fixture and one-line
// append/query wrappers.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "tidemark/storage/storage.h"

namespace tidemark::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tidemark-test-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    if (p != nullptr) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A RocksDB store in a fresh directory, opened (and reopened) by the test.
class TsdbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }
  // Retention off: tests write timestamps far in the past.
  StorageOptions StoreOptions() const {
    StorageOptions o;
    o.dir = dir_.path();
    o.retention_ms = 0;
    return o;
  }
  Result<std::unique_ptr<Storage>> OpenStore() { return Storage::Open(StoreOptions()); }

  TempDir dir_;
};

inline Matcher Eq(std::string name, std::string value) {
  return Matcher::Make(MatchType::kEqual, std::move(name), std::move(value)).value();
}
inline Matcher M(MatchType t, std::string name, std::string value) {
  return Matcher::Make(t, std::move(name), std::move(value)).value();
}

// Appends one sample in its own batch and commits.
inline Status AppendOne(Storage& s, const Labels& l, Timestamp t, double v) {
  auto app = s.NewAppender();
  auto r = app->Append(0, l, SampleIn{0, t, v});
  if (!r.ok()) {
    app->Rollback().IgnoreError();
    return r.status();
  }
  return app->Commit();
}

inline Result<std::vector<SeriesData>> Query(Storage& s, const Matchers& m,
                                             Timestamp mint = kMinTimestamp,
                                             Timestamp maxt = kMaxTimestamp,
                                             const SelectHints* hints = nullptr) {
  TM_ASSIGN_OR_RETURN(auto q, s.NewQuerier(mint, maxt));
  TM_ASSIGN_OR_RETURN(auto set, q->Select(true, hints, m));
  return MaterializeSeriesSet(*set);
}

inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

}  // namespace tidemark::testing
