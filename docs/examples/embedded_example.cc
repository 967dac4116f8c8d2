// Embedding Tidemark's store in a C++ program: open a directory, append a batch, query it back.
// Built as part of the test build (tests/storage/CMakeLists.txt) so it keeps compiling; run it
// as `embedded_example [dir]`.
#include <cstdio>
#include <filesystem>
#include <string>

#include "tidemark/storage/storage.h"

int main(int argc, char** argv) {
  using namespace tidemark;
  const std::string dir =
      argc > 1 ? argv[1] : (std::filesystem::temp_directory_path() / "tidemark-example").string();

  StorageOptions options;
  options.dir = dir;                // created if missing
  options.sync = SyncPolicy::kWal;  // acknowledged = in RocksDB's WAL
  options.retention_ms = 15LL * 24 * 3600 * 1000;
  auto opened = Storage::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Storage> db = std::move(opened).value();

  // Append: stage samples, then Commit makes them durable and visible atomically.
  const Labels up{{"__name__", "up"}, {"job", "api"}, {"instance", "10.0.0.1:9100"}};
  auto app = db->NewAppender();
  SeriesRef ref = 0;  // reuse the returned ref as a hint to skip the label lookup
  for (int i = 0; i < 10; ++i) {
    auto r = app->Append(ref, up, SampleIn{0, 1'700'000'000'000 + i * 15'000, 1.0});
    if (!r.ok()) {  // per-sample errors (out of window, conflicting duplicate) leave the batch
                    // usable
      std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
      continue;
    }
    ref = *r;
  }
  if (Status st = app->Commit(); !st.ok()) {
    std::fprintf(stderr, "commit: %s\n", st.ToString().c_str());
    return 1;
  }

  // Query: a querier is bounded to [mint, maxt]; Select takes Prometheus-style matchers.
  {
    auto querier = db->NewQuerier(1'700'000'000'000, 1'700'000'000'000 + 3600 * 1000);
    if (!querier.ok()) return 1;
    Matchers matchers{Matcher::Make(MatchType::kEqual, "__name__", "up").value(),
                      Matcher::Make(MatchType::kRegexMatch, "job", "api|web").value()};
    auto set = (*querier)->Select(/*sorted=*/true, /*hints=*/nullptr, matchers);
    if (!set.ok()) return 1;
    std::unique_ptr<SeriesIterator> it;
    while ((*set)->Next()) {
      const Series& series = (*set)->At();
      it = series.Iterator(std::move(it));
      int n = 0;
      while (it->Next() != ValueType::kNone) ++n;
      std::printf("%s: %d samples\n", series.labels().ToString().c_str(), n);
    }
    if (!(*set)->status().ok()) return 1;
  }  // queriers and series sets are released before Close

  StorageStats stats = db->Stats();
  std::printf("series=%llu bytes_on_disk=%llu\n", static_cast<unsigned long long>(stats.num_series),
              static_cast<unsigned long long>(stats.bytes_on_disk));
  return db->Close().ok() ? 0 : 1;
}
