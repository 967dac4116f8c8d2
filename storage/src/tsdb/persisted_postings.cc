// Matcher evaluation over the postings column family (key layout in keys.h / docs/format/keys.md).
#include "tsdb/persisted_postings.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "tsdb/keys.h"
#include "tsdb/chunk_store.h"

namespace tidemark::tsdb {
namespace {

Status Corrupt() { return Status::Corruption("storage: malformed postings key"); }

// The key prefix shared by every posting of label `name`.
std::string NamePrefix(std::string_view name) {
  std::string k;
  AppendUvarint(&k, name.size());
  k.append(name);
  return k;
}

// Appends the refs stored under exactly (name, value).
Status ScanValue(rocksdb::Iterator* it, std::string_view name, std::string_view value,
                 Postings* out) {
  const std::string prefix = PostingPrefix(name, value);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) return Corrupt();
    out->push_back(GetBE64(it->key().data() + prefix.size()));
  }
  return FromRocks(it->status(), "storage: scan postings");
}

// Appends the refs of every value v of `name` with m.Matches(v) == want. The values that do not
// qualify are skipped with one Seek each instead of reading their refs.
Status ScanName(rocksdb::Iterator* it, const Matcher& m, bool want, Postings* out) {
  const std::string prefix = NamePrefix(m.name());
  std::string skip;
  it->Seek(prefix);
  while (it->Valid() && it->key().starts_with(prefix)) {
    std::string_view rest(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    uint64_t len = 0;
    if (!ReadUvarint(&rest, &len) || rest.size() != len + 8) return Corrupt();
    std::string_view value = rest.substr(0, len);
    if (m.Matches(value) == want) {
      // Read every ref of this value in one run.
      const size_t vprefix = it->key().size() - 8;
      skip.assign(it->key().data(), vprefix);
      for (; it->Valid() && it->key().size() == vprefix + 8 && it->key().starts_with(skip);
           it->Next()) {
        out->push_back(GetBE64(it->key().data() + vprefix));
      }
      continue;
    }
    // Every key of (name, value) is its prefix plus 8 bytes, so this sorts after all of them.
    skip.assign(it->key().data(), it->key().size() - 8);
    skip.append(9, '\xff');
    it->Seek(skip);
  }
  return FromRocks(it->status(), "storage: scan postings");
}

void SortUnique(Postings* p) {
  std::sort(p->begin(), p->end());
  p->erase(std::unique(p->begin(), p->end()), p->end());
}

// Same fast paths as the in-memory index: literal values are read directly.
Status RefsWhere(rocksdb::Iterator* it, const Matcher& m, bool want, Postings* out) {
  const bool literal = (m.type() == MatchType::kEqual || m.type() == MatchType::kNotEqual) &&
                       !m.value().empty();
  const bool regex_positive = (m.type() == MatchType::kRegexMatch && want) ||
                              (m.type() == MatchType::kRegexNoMatch && !want);
  if (literal) {
    if (m.Matches(m.value()) == want) TM_RETURN_IF_ERROR(ScanValue(it, m.name(), m.value(), out));
  } else if (regex_positive && !m.SetMatches().empty()) {
    for (const auto& v : m.SetMatches()) {
      if (m.Matches(v) == want) TM_RETURN_IF_ERROR(ScanValue(it, m.name(), v, out));
    }
  } else {
    TM_RETURN_IF_ERROR(ScanName(it, m, want, out));
  }
  SortUnique(out);
  return Status::OK();
}

Result<Postings> AllRefs(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* series,
                         const rocksdb::ReadOptions& ro) {
  Postings out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, series));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("storage: malformed series key");
    out.push_back(GetBE64(it->key().data()));
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "storage: scan series"));
  return out;
}

}  // namespace

Postings UnionPostings(const Postings& a, const Postings& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  Postings out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Result<Postings> SelectPersistedPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* post,
                                         rocksdb::ColumnFamilyHandle* series,
                                         const Matchers& matchers) {
  const rocksdb::Snapshot* snap = db->GetSnapshot();
  std::shared_ptr<const rocksdb::Snapshot> release(snap,
                                                   [db](const rocksdb::Snapshot* s) {
                                                     db->ReleaseSnapshot(s);
                                                   });
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, post));
  // Matchers that reject "" narrow by intersection; the others subtract (as PostingsIndex).
  bool have = false;
  Postings cur;
  for (const auto& m : matchers) {
    if (m.MatchesEmpty()) continue;
    Postings p;
    TM_RETURN_IF_ERROR(RefsWhere(it.get(), m, true, &p));
    cur = have ? Intersect(cur, p) : std::move(p);
    have = true;
    if (cur.empty()) return cur;
  }
  if (!have) {
    TM_ASSIGN_OR_RETURN(cur, AllRefs(db, series, ro));
  }
  for (const auto& m : matchers) {
    if (!m.MatchesEmpty()) continue;
    Postings drop;
    TM_RETURN_IF_ERROR(RefsWhere(it.get(), m, false, &drop));
    if (!drop.empty()) cur = Subtract(cur, drop);
    if (cur.empty()) break;
  }
  return cur;
}

}  // namespace tidemark::tsdb
