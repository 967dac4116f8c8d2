// process_* series from /proc, with client_golang's names and units.
#include "tidemark/http/process_metrics.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace tidemark::http {
namespace {

Result<double> ToDouble(std::string_view s, std::string_view what) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Status::InvalidArgument("cannot parse " + std::string(what) + " \"" + std::string(s) + "\"");
  }
  return v;
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Unavailable("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Status ParseProcStat(std::string_view stat, double ticks_per_second, double page_size,
                     double boot_time_s, ProcessStats* out) {
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields resume after
  // the last ')'. Counting from field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return Status::InvalidArgument("malformed stat: no ')'");
  std::vector<std::string_view> f = Fields(stat.substr(close + 1));
  if (f.size() < 22) return Status::InvalidArgument("malformed stat: too few fields");
  auto field = [&](int n) { return f[static_cast<size_t>(n - 3)]; };
  TM_ASSIGN_OR_RETURN(double utime, ToDouble(field(14), "utime"));
  TM_ASSIGN_OR_RETURN(double stime, ToDouble(field(15), "stime"));
  TM_ASSIGN_OR_RETURN(double start, ToDouble(field(22), "starttime"));
  TM_ASSIGN_OR_RETURN(double vsize, ToDouble(field(23), "vsize"));
  TM_ASSIGN_OR_RETURN(double rss, ToDouble(field(24), "rss"));
  out->cpu_seconds = (utime + stime) / ticks_per_second;
  out->start_time_seconds = boot_time_s + start / ticks_per_second;
  out->virtual_bytes = vsize;
  out->resident_bytes = rss * page_size;
  return Status::OK();
}

Result<double> ParseBootTime(std::string_view proc_stat) {
  size_t pos = 0;
  while (pos < proc_stat.size()) {
    size_t end = proc_stat.find('\n', pos);
    std::string_view line = proc_stat.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (line.starts_with("btime ")) return ToDouble(Fields(line.substr(6)).at(0), "btime");
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return Status::InvalidArgument("no btime line in /proc/stat");
}

Result<double> ParseMaxOpenFiles(std::string_view limits) {
  constexpr std::string_view kKey = "Max open files";
  size_t at = limits.find(kKey);
  if (at == std::string_view::npos) return Status::InvalidArgument("no \"Max open files\" limit");
  size_t end = limits.find('\n', at);
  std::vector<std::string_view> f =
      Fields(limits.substr(at + kKey.size(), end == std::string_view::npos ? end : end - at - kKey.size()));
  if (f.empty()) return Status::InvalidArgument("malformed \"Max open files\" limit");
  if (f[0] == "unlimited") return HUGE_VAL;
  return ToDouble(f[0], "max open files");
}

Result<ProcessStats> ReadProcessStats(const std::string& proc) {
  ProcessStats s;
  TM_ASSIGN_OR_RETURN(std::string stat, ReadFile(proc + "/self/stat"));
  TM_ASSIGN_OR_RETURN(std::string sys, ReadFile(proc + "/stat"));
  TM_ASSIGN_OR_RETURN(double boot, ParseBootTime(sys));
  TM_RETURN_IF_ERROR(ParseProcStat(stat, static_cast<double>(sysconf(_SC_CLK_TCK)),
                                   static_cast<double>(sysconf(_SC_PAGESIZE)), boot, &s));
  TM_ASSIGN_OR_RETURN(std::string limits, ReadFile(proc + "/self/limits"));
  TM_ASSIGN_OR_RETURN(s.max_fds, ParseMaxOpenFiles(limits));
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc + "/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++s.open_fds;
  }
  if (ec) return Status::Unavailable("cannot list " + proc + "/self/fd: " + ec.message());
  return s;
}

void AppendProcessMetrics(std::string& out, const ProcessStats& s) {
  AppendSimpleMetric(out, "process_cpu_seconds_total", "counter",
                     "Total user and system CPU time spent in seconds.", s.cpu_seconds);
  AppendSimpleMetric(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                     s.max_fds);
  AppendSimpleMetric(out, "process_open_fds", "gauge", "Number of open file descriptors.", s.open_fds);
  AppendSimpleMetric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                     s.resident_bytes);
  AppendSimpleMetric(out, "process_start_time_seconds", "gauge",
                     "Start time of the process since unix epoch in seconds.", s.start_time_seconds);
  AppendSimpleMetric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                     s.virtual_bytes);
}

void AddProcessCollector(MetricsRegistry& registry) {
  registry.AddCollector([](std::string& out) {
    auto s = ReadProcessStats();
    if (s.ok()) AppendProcessMetrics(out, *s);
  });
}

}  // namespace tidemark::http
