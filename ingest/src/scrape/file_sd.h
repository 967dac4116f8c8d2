// file_sd_configs: target groups read from JSON or YAML files (Prometheus' file discovery format),
// re-read when a file changes and on the refresh interval.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tidemark/ingest/scrape.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::ingest::scrape {

// Parses one file's content: a list of {targets: [...], labels: {...}}; `path` names the source
// and becomes each group's __meta_filepath label, as in Prometheus.
Result<std::vector<TargetGroup>> ParseFileSd(const std::string& content, const std::string& path);

// The groups of one file_sd_configs entry, refreshed on demand.
class FileSdWatcher {
 public:
  explicit FileSdWatcher(FileSdConfig config) : config_(std::move(config)) {}
  // Re-globs and re-reads files whose size or modification time changed (all of them once the
  // refresh interval has passed). Returns true when the groups changed. A file that cannot be
  // read or parsed keeps its previous groups; `errors` gets one message per such file.
  bool Refresh(int64_t now_ms, std::vector<std::string>* errors);
  std::vector<TargetGroup> Groups() const;

 private:
  struct FileState {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    std::vector<TargetGroup> groups;
  };
  FileSdConfig config_;
  std::map<std::string, FileState> files_;
  int64_t last_full_ms_ = 0;
};

}  // namespace tidemark::ingest::scrape
