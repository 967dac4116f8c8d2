// file_sd_configs reading (see file_sd.h). yaml-cpp reads both formats: JSON is YAML.
#include "file_sd.h"

#include <glob.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest::scrape {

Result<std::vector<TargetGroup>> ParseFileSd(const std::string& content, const std::string& path) {
  std::vector<TargetGroup> out;
  try {
    YAML::Node root = YAML::Load(content);
    if (root.IsNull()) return out;
    if (!root.IsSequence()) return Status::InvalidArgument(path + ": expected a list of target groups");
    for (size_t i = 0; i < root.size(); ++i) {
      const YAML::Node g = root[i];
      TargetGroup tg;
      tg.source = path + ":" + std::to_string(i);
      if (!g.IsMap()) return Status::InvalidArgument(tg.source + ": a target group must be a mapping");
      for (const auto& kv : g) {
        const std::string key = kv.first.as<std::string>();
        if (key != "targets" && key != "labels") {
          return Status::InvalidArgument(tg.source + ": unknown field \"" + key + "\"");
        }
      }
      if (g["targets"]) {
        if (!g["targets"].IsSequence()) return Status::InvalidArgument(tg.source + ": targets must be a list");
        for (const auto& t : g["targets"]) tg.targets.push_back(t.as<std::string>());
      }
      if (g["labels"]) {
        if (!g["labels"].IsMap()) return Status::InvalidArgument(tg.source + ": labels must be a mapping");
        for (const auto& kv : g["labels"]) {
          std::string name = kv.first.as<std::string>();
          // Prometheus 3's model.LabelName.IsValid (UTF-8 names); it refuses the whole file.
          if (name.empty() || !ValidUtf8(name)) {
            return Status::InvalidArgument(tg.source + ": " + Quote(name) + " is not a valid label name");
          }
          // Prometheus sets __meta_filepath itself, over any value the file gives.
          if (name == "__meta_filepath") continue;
          tg.labels.emplace_back(std::move(name), kv.second.as<std::string>());
        }
      }
      tg.labels.emplace_back("__meta_filepath", path);
      out.push_back(std::move(tg));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return out;
}

bool FileSdWatcher::Refresh(int64_t now_ms, std::vector<std::string>* errors) {
  const bool full = now_ms - last_full_ms_ >= config_.refresh_interval_ms;
  if (full) last_full_ms_ = now_ms;
  const std::vector<TargetGroup> before = Groups();
  std::map<std::string, FileState> next;
  for (const std::string& pattern : config_.files) {
    glob_t g{};
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) next[g.gl_pathv[i]];
    }
    ::globfree(&g);
  }
  for (auto& [path, st] : next) {
    struct stat sb {};
    auto old = files_.find(path);
    const bool known = old != files_.end();
    if (known) st = old->second;
    if (::stat(path.c_str(), &sb) != 0) continue;
    const int64_t mtime = int64_t(sb.st_mtim.tv_sec) * 1'000'000'000 + sb.st_mtim.tv_nsec;
    if (known && !full && mtime == st.mtime_ns && int64_t(sb.st_size) == st.size) continue;
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    st.mtime_ns = mtime;  // a bad file is reported once per change, not on every check
    st.size = sb.st_size;
    auto groups = ParseFileSd(buf.str(), path);
    if (!groups.ok()) {
      errors->push_back(groups.status().message());
      continue;
    }
    st.groups = std::move(*groups);
  }
  files_ = std::move(next);
  const std::vector<TargetGroup> after = Groups();
  bool same = before.size() == after.size();
  for (size_t i = 0; same && i < after.size(); ++i) {
    same = before[i].targets == after[i].targets && before[i].labels == after[i].labels;
  }
  return !same;
}

std::vector<TargetGroup> FileSdWatcher::Groups() const {
  std::vector<TargetGroup> out;
  for (const auto& [path, st] : files_) out.insert(out.end(), st.groups.begin(), st.groups.end());
  return out;
}

}  // namespace tidemark::ingest::scrape
