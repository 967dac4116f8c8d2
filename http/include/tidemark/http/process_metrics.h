// The process_* series client_golang's process collector exports on Linux (CPU, memory, file
// descriptors, start time), read from /proc at scrape time.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/storage/model/metrics.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::http {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // Unix time
  double open_fds = 0;
  double max_fds = 0;             // soft RLIMIT_NOFILE
};

// Fills CPU, memory and start time from the text of /proc/<pid>/stat; `boot_time_s` is /proc/stat's
// btime, `ticks_per_second` sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE).
Status ParseProcStat(std::string_view stat, double ticks_per_second, double page_size,
                     double boot_time_s, ProcessStats* out);
// The `btime` line of /proc/stat.
Result<double> ParseBootTime(std::string_view proc_stat);
// The soft "Max open files" limit from /proc/<pid>/limits ("unlimited" as +Inf).
Result<double> ParseMaxOpenFiles(std::string_view limits);

// Reads everything for this process from `proc` (normally "/proc").
Result<ProcessStats> ReadProcessStats(const std::string& proc = "/proc");
// The six process_* families in text format.
void AppendProcessMetrics(std::string& out, const ProcessStats& s);
// Registers a collector exporting this process' process_* series (nothing when /proc is unreadable).
void AddProcessCollector(MetricsRegistry& registry);

}  // namespace tidemark::http
