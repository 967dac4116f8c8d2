// Damaged data directories: naming the damaged file when the store cannot open, verifying every
// table's checksums, and rebuilding the MANIFEST with rocksdb::RepairDB.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <rocksdb/sst_file_reader.h>

#include "tsdb/chunk_store.h"

namespace tidemark::tsdb {
namespace {

// The MANIFEST that CURRENT names ("" when CURRENT cannot be read).
std::string CurrentManifest(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name;
  std::getline(in, name);
  return name;
}

// Table files in `dir` whose footer, index or properties cannot be read (comma-separated). A
// table that fails while the MANIFEST is being applied is reported "in file MANIFEST-...".
std::string UnreadableTables(const std::string& dir) {
  std::string out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".sst") continue;
    rocksdb::SstFileReader reader{rocksdb::Options()};
    if (!reader.Open(e.path().string()).ok()) out += (out.empty() ? "" : ", ") + e.path().string();
  }
  return out;
}

}  // namespace

Status OpenFailure(const std::string& dir, const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  std::string msg = "storage: cannot open " + dir + ": " + s.ToString();
  const bool missing = s.IsIOError() && msg.find("No such file") != std::string::npos;
  if (!s.IsCorruption() && !missing) return FromRocks(s, "storage: cannot open " + dir);
  // RocksDB names the file in most messages; where it does not, or names the MANIFEST for a
  // table that failed while the MANIFEST was applied, find the file.
  if (msg.find(dir + "/MANIFEST-") != std::string::npos) {
    const std::string tables = UnreadableTables(dir);
    if (!tables.empty()) msg += " (damaged table file: " + tables + ")";
  } else if (msg.find(dir + "/") != std::string::npos) {
    // Named already.
  } else if (msg.find("CURRENT file") != std::string::npos) {
    msg += " (file " + dir + "/CURRENT)";
  } else if (msg.find("Missing WAL") != std::string::npos) {
    msg += " (file " + dir + "/" + CurrentManifest(dir) +
           " lists a write-ahead log that is gone: the MANIFEST was cut short or *.log files were "
           "deleted)";
  } else if (s.IsCorruption()) {
    // A damaged record in a write-ahead log (the head log) is reported without its file; the
    // RocksDB warning logged just before names it too.
    std::string logs;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".log") logs += (logs.empty() ? "" : ", ") + e.path().string();
    }
    if (!logs.empty()) msg += " (in the write-ahead log: " + logs + ")";
  }
  return Status::Corruption(std::move(msg));
}

}  // namespace tidemark::tsdb

namespace tidemark {
namespace {

// Names of the files in DIR/lost (where RepairDB moves what it cannot read).
std::set<std::string> LostFiles(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/lost", ec)) {
    out.insert(e.path().filename().string());
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> RepairStorage(const StorageOptions& options) {
  if (!std::filesystem::exists(options.dir)) {
    return Status::NotFound("storage: no data directory at " + options.dir);
  }
  tsdb::DbOptionsBundle b = tsdb::MakeDbOptions(options);
  const std::set<std::string> before = LostFiles(options.dir);
  TM_RETURN_IF_ERROR(tsdb::FromRocks(
      rocksdb::RepairDB(options.dir, b.db, b.cfs, rocksdb::ColumnFamilyOptions()),
      "storage: repair " + options.dir));
  std::vector<std::string> moved;
  for (const auto& f : LostFiles(options.dir)) {
    if (!before.count(f)) moved.push_back(options.dir + "/lost/" + f);
  }
  return moved;
}

Status VerifyStorage(const StorageOptions& options) {
  tsdb::DbOptionsBundle b = tsdb::MakeDbOptions(options);
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  // A repaired store lacks the column families that had no table file; open those it has.
  std::vector<std::string> names;
  TM_RETURN_IF_ERROR(tsdb::OpenFailure(
      options.dir, rocksdb::DB::ListColumnFamilies(b.db, options.dir, &names)));
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& d : b.cfs) {
    if (std::find(names.begin(), names.end(), d.name) != names.end()) cfs.push_back(d);
  }
  rocksdb::Status os = rocksdb::DB::OpenForReadOnly(b.db, options.dir, cfs, &handles, &raw);
  if (!os.ok()) return tsdb::OpenFailure(options.dir, os);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::Status vs = db->VerifyChecksum();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  if (!vs.ok()) return tsdb::FromRocks(vs, "storage: verify " + options.dir);
  return Status::OK();
}

}  // namespace tidemark
