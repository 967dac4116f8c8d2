// Shared setup for the store benchmarks: temp directories, realistic label sets, RSS.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/datagen.h"
#include "tidemark/storage/storage.h"

namespace tidemark::bench {

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tidemark-bench-XXXXXX";
    if (char* p = mkdtemp(tmpl.data())) path_ = p;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// node-exporter-like label sets: 7 labels, ~120 bytes, fixed seed.
inline std::vector<Labels> MakeSeriesLabels(size_t n) {
  static const char* kMetrics[] = {"node_cpu_seconds_total", "node_memory_Active_bytes",
                                   "node_network_receive_bytes_total", "node_disk_io_time_seconds_total",
                                   "http_requests_total"};
  testing::Rng rng(42);
  std::vector<Labels> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(Labels{{"__name__", kMetrics[i % 5]},
                         {"job", "node"},
                         {"instance", "host-" + std::to_string(i / 50) + ".example.internal:9100"},
                         {"cpu", std::to_string(i % 50)},
                         {"mode", (rng.Next() & 1) ? "user" : "system"},
                         {"env", "prod"},
                         {"region", "eu-west-" + std::to_string(i % 3)}});
  }
  return out;
}

// Resident set size in bytes (Linux /proc/self/statm).
inline uint64_t RssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace tidemark::bench
