// Write faults injected under RocksDB (a FileSystem wrapper): a full disk is answered with a
// retryable error, reads keep working and writes resume once space returns; a failing fsync is
// never acknowledged. Nothing acknowledged is lost across a reopen.
#include <gtest/gtest.h>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "storage/storage_test_util.h"

namespace tidemark::testing {
namespace {

// What the wrapped file system does to writes.
enum class Fault : int { kNone, kNoSpace, kSyncFails };

class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> f, const std::atomic<Fault>& fault)
      : FSWritableFileOwnerWrapper(std::move(f)), fault_(fault) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (fault_ == Fault::kNoSpace) return NoSpace();
    return FSWritableFileOwnerWrapper::Append(d, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v,
                           rocksdb::IODebugContext* dbg) override {
    if (fault_ == Fault::kNoSpace) return NoSpace();
    return FSWritableFileOwnerWrapper::Append(d, o, v, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (fault_ == Fault::kSyncFails) return rocksdb::IOStatus::IOError("injected fsync failure");
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (fault_ == Fault::kSyncFails) return rocksdb::IOStatus::IOError("injected fsync failure");
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }

  // As RocksDB's POSIX file system reports ENOSPC.
  static rocksdb::IOStatus NoSpace() {
    rocksdb::IOStatus s = rocksdb::IOStatus::NoSpace("injected", "No space left on device");
    s.SetRetryable(true);
    return s;
  }

 private:
  const std::atomic<Fault>& fault_;
};

class FaultyFs final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "TidemarkFaultyFs"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (fault == Fault::kNoSpace) return FaultyFile::NoSpace();
    return Wrap(target()->NewWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (fault == Fault::kNoSpace) return FaultyFile::NoSpace();
    return Wrap(target()->ReopenWritableFile(f, o, r, dbg), r);
  }
  // RocksDB's recovery from a full disk waits until this reports room again.
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o,
                                 uint64_t* space, rocksdb::IODebugContext* dbg) override {
    if (fault == Fault::kNoSpace) {
      *space = 0;
      return rocksdb::IOStatus::OK();
    }
    return target()->GetFreeSpace(path, o, space, dbg);
  }

  std::atomic<Fault> fault{Fault::kNone};

 private:
  rocksdb::IOStatus Wrap(rocksdb::IOStatus s, std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (s.ok()) r->reset(new FaultyFile(std::move(*r), fault));
    return s;
  }
};

const Labels kSeries{{"__name__", "disk"}, {"job", "fault"}};

class TsdbDiskFaultTest : public TsdbStoreTest {
 protected:
  Result<std::unique_ptr<Storage>> OpenFaulty(SyncPolicy sync) {
    StorageOptions o = StoreOptions();
    o.sync = sync;
    o.env = std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs_));
    return Storage::Open(o);
  }
  // Timestamps of every stored sample of kSeries.
  static std::vector<Timestamp> Stored(Storage& s) {
    auto got = Query(s, {Eq("__name__", "disk")});
    EXPECT_OK(got.status());
    std::vector<Timestamp> ts;
    if (got.ok() && !got->empty()) {
      for (const auto& smp : (*got)[0].samples) ts.push_back(smp.t);
    }
    return ts;
  }

  std::shared_ptr<FaultyFs> fs_ = std::make_shared<FaultyFs>();
};

TEST_F(TsdbDiskFaultTest, FullDiskIsRetryableAndWritesResumeWhenSpaceReturns) {
  auto db = OpenFaulty(SyncPolicy::kWal);
  ASSERT_OK(db.status());
  Storage& s = **db;
  std::vector<Timestamp> acked;
  for (Timestamp t = 1000; t <= 5000; t += 1000) {
    ASSERT_OK(AppendOne(s, kSeries, t, static_cast<double>(t)));
    acked.push_back(t);
  }

  fs_->fault = Fault::kNoSpace;
  for (int i = 0; i < 3; ++i) {
    Status st = AppendOne(s, kSeries, 6000, 6.0);
    EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
    EXPECT_NE(st.message().find("no space left"), std::string::npos) << st.message();
  }
  EXPECT_GE(s.Stats().write_failures_no_space, 3u);
  EXPECT_EQ(s.Stats().write_failures_other, 0u);
  // Reads need no space: everything acknowledged is served, the refused sample is not.
  EXPECT_EQ(Stored(s), acked);

  // RocksDB polls for free space (every few seconds) and resumes by itself; the sender's retry
  // of the refused batch then succeeds. The deadline only bounds a hang.
  fs_->fault = Fault::kNone;
  Status retried = AppendOne(s, kSeries, 6000, 6.0);
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !retried.ok() && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    retried = AppendOne(s, kSeries, 6000, 6.0);
  }
  ASSERT_OK(retried);
  acked.push_back(6000);
  ASSERT_OK(AppendOne(s, kSeries, 7000, 7.0));
  acked.push_back(7000);
  EXPECT_EQ(Stored(s), acked);
  ASSERT_OK(s.Close());

  auto again = OpenStore();
  ASSERT_OK(again.status());
  EXPECT_EQ(Stored(**again), acked);
}

TEST_F(TsdbDiskFaultTest, FailedFsyncIsNeverAcknowledged) {
  auto db = OpenFaulty(SyncPolicy::kFsyncBatch);
  ASSERT_OK(db.status());
  Storage& s = **db;
  ASSERT_OK(AppendOne(s, kSeries, 1000, 1.0));
  fs_->fault = Fault::kSyncFails;
  Status st = AppendOne(s, kSeries, 2000, 2.0);
  EXPECT_FALSE(st.ok());
  EXPECT_GE(s.Stats().write_failures_other, 1u);
  // Not applied to the head either: a query never shows what was not acknowledged.
  EXPECT_EQ(Stored(s), std::vector<Timestamp>{1000});
  fs_->fault = Fault::kNone;
  s.Close().IgnoreError();  // the store may stay stopped after a failed fsync; that is allowed

  auto again = OpenStore();
  ASSERT_OK(again.status());
  std::vector<Timestamp> after = Stored(**again);
  // The acknowledged sample is there; the refused one may be (it reached the WAL) or not.
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0], 1000);
  EXPECT_LE(after.size(), 2u);
}

}  // namespace
}  // namespace tidemark::testing
