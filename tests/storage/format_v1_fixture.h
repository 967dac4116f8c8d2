// Shared by the format-v1 fixture's generator and its test: where the fixture lives, the text
// form of its expected contents, and reading a copy of it back (docs/format/keys.md).
#pragma once

#include <bit>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/storage.h"

namespace tidemark::testing {

// The fixture lives in the source tree; the tests find it through the compile definition.
inline std::filesystem::path FormatV1Dir() {
  return std::filesystem::path(TM_SOURCE_DIR) / "tests/testdata/format_v1";
}
inline std::filesystem::path FormatV1StoreDir() { return FormatV1Dir() / "store"; }
inline std::filesystem::path FormatV1ExpectedFile() { return FormatV1Dir() / "expected.txt"; }

// Values are escaped as in the exposition format (EscapeLabelValue): \\, \" and \n.
inline std::string UnescapeLabelValue(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\' || i + 1 == v.size()) {
      out += v[i];
      continue;
    }
    const char c = v[++i];
    out += c == 'n' ? '\n' : c;
  }
  return out;
}

// Layout, one block per series in label order:
//   series <number of labels>
//   label <name> <value, escaped, to the end of the line>
//   samples <count>
//   <t> <value bits, 16 hex digits> <value as %.17g, for reading only>
inline std::string FormatExpected(const std::vector<SeriesData>& all, std::string_view header) {
  std::string out(header);
  char buf[96];
  for (const SeriesData& s : all) {
    out += "series " + std::to_string(s.labels.size()) + "\n";
    for (const Label& l : s.labels) out += "label " + l.name + " " + EscapeLabelValue(l.value) + "\n";
    out += "samples " + std::to_string(s.samples.size()) + "\n";
    for (const Sample& x : s.samples) {
      std::snprintf(buf, sizeof(buf), "%" PRId64 " %016" PRIx64 " %.17g\n", x.t,
                    std::bit_cast<uint64_t>(x.v), x.v);
      out += buf;
    }
  }
  return out;
}

// Inverse of FormatExpected ('#' lines are comments). Error on anything malformed.
inline Result<std::vector<SeriesData>> ParseExpected(const std::string& text) {
  std::vector<SeriesData> all;
  std::istringstream in(text);
  std::string line;
  auto next = [&]() {
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] != '#') return true;
    }
    return false;
  };
  auto bad = [&]() { return Status::InvalidArgument("expected file: malformed line: " + line); };
  auto count_after = [&](std::string_view word, size_t* n) {
    if (line.rfind(word, 0) != 0) return false;
    const char* end = line.data() + line.size();
    auto [p, ec] = std::from_chars(line.data() + word.size(), end, *n);
    return ec == std::errc() && p == end;
  };
  while (next()) {
    size_t num_labels = 0, num_samples = 0;
    if (!count_after("series ", &num_labels)) return bad();
    std::vector<Label> labels;
    for (size_t i = 0; i < num_labels; ++i) {
      if (!next() || line.rfind("label ", 0) != 0) return bad();
      const size_t space = line.find(' ', 6);
      if (space == std::string::npos) return bad();
      labels.push_back({line.substr(6, space - 6), UnescapeLabelValue(line.substr(space + 1))});
    }
    SeriesData s{Labels(std::move(labels)), {}};
    if (s.labels.size() != num_labels) return bad();
    if (!next() || !count_after("samples ", &num_samples)) return bad();
    for (size_t i = 0; i < num_samples; ++i) {
      int64_t t = 0;
      uint64_t bits = 0;
      if (!next() || std::sscanf(line.c_str(), "%" SCNd64 " %" SCNx64, &t, &bits) != 2) return bad();
      s.samples.push_back({t, std::bit_cast<double>(bits)});
    }
    all.push_back(std::move(s));
  }
  return all;
}

// Copies the checked-in store to `to`: RocksDB writes into any directory it opens (WAL replay,
// new MANIFEST and OPTIONS), so the checked-in copy is never opened in place.
inline Status CopyFormatV1Store(const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy(FormatV1StoreDir(), to, std::filesystem::copy_options::recursive, ec);
  if (ec) return Status::Unavailable("copy fixture: " + ec.message());
  return Status::OK();
}

// Every series with every sample, through the public Querier.
inline Result<std::vector<SeriesData>> ReadEverything(Storage& db) {
  TM_ASSIGN_OR_RETURN(auto q, db.NewQuerier(kMinTimestamp, kMaxTimestamp));
  TM_ASSIGN_OR_RETURN(Matcher any, Matcher::Make(MatchType::kRegexMatch, "__name__", ".+"));
  TM_ASSIGN_OR_RETURN(auto set, q->Select(true, nullptr, {any}));
  return MaterializeSeriesSet(*set);
}

// What the raw RocksDB directory holds, so the fixture provably keeps covering every record kind:
// keys per column family, chunk values per encoding byte ("chunks:1", "chunks:2") and the raw
// meta values ("meta:<key>"). Opens read-only, but RocksDB still writes its info log: pass a copy.
inline Result<std::map<std::string, std::string>> InventoryRaw(const std::string& dir) {
  std::vector<std::string> names;
  rocksdb::Status st = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!st.ok()) return Status::Unavailable("list column families: " + st.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  st = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &handles, &raw);
  if (!st.ok()) return Status::Unavailable("open read-only: " + st.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::map<std::string, std::string> out;
  std::map<std::string, uint64_t> counts;
  for (size_t i = 0; i < handles.size(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++counts[names[i]];
      if (names[i] == "chunks" && !it->value().empty()) {
        ++counts["chunks:" + std::to_string(static_cast<uint8_t>(it->value()[0]))];
      }
      if (names[i] == "default") out["meta:" + it->key().ToString()] = it->value().ToString();
    }
    st = it->status();
    if (!st.ok()) break;
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  if (!st.ok()) return Status::Corruption("scan: " + st.ToString());
  for (const auto& [k, n] : counts) out[k] = std::to_string(n);
  return out;
}

}  // namespace tidemark::testing
