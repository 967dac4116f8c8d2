// Series templates and value models of the node-exporter-like generator.
#include "node_data.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace tidemark::e2e {
namespace {

enum Kind : uint8_t {
  kConst,         // never changes
  kCpuCounter,    // cpu seconds, 2 decimals; p1 = busy fraction of one cpu
  kBytesCounter,  // integer increments, lognormal around p1, multiples of p2
  kCountCounter,  // integer increments around p1
  kRareCounter,   // increments by 1..3 with probability p1
  kFineCounter,   // seconds in 1/1000 units; p1 = fraction of one cpu
  kMemGauge,      // bytes in pages, random walk of up to p2 pages around p1
  kLoadGauge,     // 2 decimals, mean-reverting to p1 with speed p2
  kFsGauge,       // bytes, slowly shrinking; jumps back up on "cleanup"
  kFilesGauge,    // inode count, slowly changing
  kSmallInt,      // small integer gauge in [0, p1]
  kTempGauge,     // integer degrees around p1
  kTimeGauge,     // node_time_seconds: the scrape time with sub-ms noise (high entropy)
  kBootTime,      // constant, changes on reboot
  kHistFirst,     // first bucket of a classic histogram group: drives the group
  kHistOther,     // other buckets, _sum, _count: updated by their group's kHistFirst
};

struct Spec {
  std::string name;
  LabelPairs extra;
  Kind kind;
  double p1 = 0;
  double p2 = 0;
  bool app = false;
};

constexpr std::array<double, 11> kLe = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr std::array<const char*, 4> kRegions = {"eu-west-1", "us-east-1", "us-west-2",
                                                 "ap-south-1"};
constexpr double kGiB = 1024.0 * 1024 * 1024;
// Per-scrape probabilities of a host reboot (node counters reset) and an app restart.
constexpr double kRebootProbability = 1.0 / 20000;
constexpr double kAppRestartProbability = 1.0 / 8000;

std::string FormatLe(double le) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", le);
  return buf;
}

std::vector<Spec> HostTemplate() {
  std::vector<Spec> t;
  const std::array<std::pair<const char*, double>, 8> modes = {
      {{"idle", 0.80}, {"iowait", 0.01}, {"irq", 0}, {"nice", 0}, {"softirq", 0.004}, {"steal", 0},
       {"system", 0.05}, {"user", 0.12}}};
  for (const char* cpu : {"0", "1"})
    for (const auto& [mode, busy] : modes)
      t.push_back({"node_cpu_seconds_total", {{"cpu", cpu}, {"mode", mode}}, kCpuCounter, busy});
  t.push_back({"node_memory_MemTotal_bytes", {}, kConst, 16 * kGiB});
  t.push_back({"node_memory_SwapTotal_bytes", {}, kConst, 2 * kGiB});
  t.push_back({"node_memory_MemAvailable_bytes", {}, kMemGauge, 8 * kGiB, 2000});
  t.push_back({"node_memory_MemFree_bytes", {}, kMemGauge, 2 * kGiB, 1000});
  t.push_back({"node_memory_Cached_bytes", {}, kMemGauge, 5 * kGiB, 300});
  t.push_back({"node_memory_Buffers_bytes", {}, kMemGauge, 0.3 * kGiB, 20});
  t.push_back({"node_load1", {}, kLoadGauge, 0.9, 0.5});
  t.push_back({"node_load5", {}, kLoadGauge, 0.9, 0.1});
  t.push_back({"node_load15", {}, kLoadGauge, 0.9, 0.03});
  const std::array<std::array<const char*, 3>, 3> mounts = {
      {{"/dev/sda1", "ext4", "/"}, {"/dev/sdb1", "xfs", "/var"}, {"tmpfs", "tmpfs", "/run"}}};
  const std::array<double, 3> fs_size = {100 * kGiB, 500 * kGiB, 1.5 * kGiB};
  for (size_t i = 0; i < mounts.size(); ++i) {
    LabelPairs l = {{"device", mounts[i][0]}, {"fstype", mounts[i][1]}, {"mountpoint", mounts[i][2]}};
    t.push_back({"node_filesystem_size_bytes", l, kConst, fs_size[i]});
    t.push_back({"node_filesystem_avail_bytes", l, kFsGauge, fs_size[i] * 0.4});
    t.push_back({"node_filesystem_free_bytes", l, kFsGauge, fs_size[i] * 0.45});
    t.push_back({"node_filesystem_files", l, kConst, 6553600});
    t.push_back({"node_filesystem_files_free", l, kFilesGauge, 6000000});
  }
  for (const auto& [dev, scale] : {std::pair<const char*, double>{"eth0", 1}, {"lo", 0.05}}) {
    LabelPairs l = {{"device", dev}};
    t.push_back({"node_network_receive_bytes_total", l, kBytesCounter, 150000 * scale, 1});
    t.push_back({"node_network_transmit_bytes_total", l, kBytesCounter, 90000 * scale, 1});
    t.push_back({"node_network_receive_packets_total", l, kCountCounter, 400 * scale});
    t.push_back({"node_network_transmit_packets_total", l, kCountCounter, 300 * scale});
    t.push_back({"node_network_receive_errs_total", l, kRareCounter, 0.002});
  }
  for (const char* dev : {"sda", "sdb"}) {
    LabelPairs l = {{"device", dev}};
    t.push_back({"node_disk_read_bytes_total", l, kBytesCounter, 40960, 512});
    t.push_back({"node_disk_written_bytes_total", l, kBytesCounter, 250000, 512});
    t.push_back({"node_disk_io_time_seconds_total", l, kFineCounter, 0.03});
    t.push_back({"node_disk_reads_completed_total", l, kCountCounter, 10});
    t.push_back({"node_disk_writes_completed_total", l, kCountCounter, 60});
  }
  t.push_back({"node_context_switches_total", {}, kCountCounter, 30000});
  t.push_back({"node_intr_total", {}, kCountCounter, 20000});
  t.push_back({"node_forks_total", {}, kCountCounter, 40});
  t.push_back({"node_boot_time_seconds", {}, kBootTime});
  t.push_back({"node_time_seconds", {}, kTimeGauge});
  t.push_back({"node_uname_info", {{"release", "6.1.0-13-amd64"}, {"sysname", "Linux"}}, kConst, 1});
  t.push_back({"node_procs_running", {}, kSmallInt, 4});
  t.push_back({"node_procs_blocked", {}, kSmallInt, 1});
  t.push_back({"node_hwmon_temp_celsius", {{"chip", "coretemp_0"}, {"sensor", "temp1"}}, kTempGauge, 48});
  t.push_back({"node_hwmon_temp_celsius", {{"chip", "coretemp_0"}, {"sensor", "temp2"}}, kTempGauge, 45});
  t.push_back({"up", {{"job", "node"}}, kConst, 1});
  // The instrumented app next to the node exporter (job="api").
  t.push_back({"up", {{"job", "api"}}, kConst, 1, 0, true});
  t.push_back({"process_resident_memory_bytes", {}, kMemGauge, 200 * 1024 * 1024, 50, true});
  t.push_back({"process_cpu_seconds_total", {}, kFineCounter, 0.05, 0, true});
  t.push_back({"go_goroutines", {}, kSmallInt, 60, 0, true});
  struct App {
    const char* handler;
    double rate;    // requests per scrape interval
    double median;  // latency, seconds
  };
  for (const App& app : {App{"/api/v1/query", 30, 0.02}, App{"/api/v1/write", 300, 0.003}}) {
    const char* handler = app.handler;
    const double rate = app.rate, median = app.median;
    t.push_back({"http_requests_total", {{"code", "200"}, {"handler", handler}}, kCountCounter,
                 rate, 0, true});
    t.push_back({"http_requests_total", {{"code", "500"}, {"handler", handler}}, kRareCounter,
                 0.01, 0, true});
    for (size_t i = 0; i <= kLe.size(); ++i) {
      const std::string le = i < kLe.size() ? FormatLe(kLe[i]) : "+Inf";
      t.push_back({"http_request_duration_seconds_bucket", {{"handler", handler}, {"le", le}},
                   i == 0 ? kHistFirst : kHistOther, rate, median, true});
    }
    t.push_back({"http_request_duration_seconds_sum", {{"handler", handler}}, kHistOther, 0, 0, true});
    t.push_back({"http_request_duration_seconds_count", {{"handler", handler}}, kHistOther, 0, 0, true});
  }
  return t;
}

const std::vector<Spec>& Template() {
  static const std::vector<Spec> t = HostTemplate();  // immutable after first use
  return t;
}

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double Uniform(uint64_t& rng) { return static_cast<double>(SplitMix(rng) >> 11) * 0x1.0p-53; }
double Normal(uint64_t& rng) {
  const double u1 = std::max(Uniform(rng), 1e-300);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * Uniform(rng));
}

void InitState(const Spec& spec, uint64_t& rng, SeriesState& s) {
  s.kind = spec.kind;
  s.app = spec.app;
  s.p1 = spec.p1;
  s.p2 = spec.p2;
  const double uptime_s = 86400 * (1 + 29 * Uniform(rng));
  switch (spec.kind) {
    case kCpuCounter: s.divisor = 100; s.units = std::floor(spec.p1 * uptime_s * 100); break;
    case kFineCounter: s.divisor = 1000; s.units = std::floor(spec.p1 * uptime_s * 1000); break;
    case kBytesCounter: s.units = std::floor(spec.p1 * uptime_s / 15 / spec.p2) * spec.p2; break;
    case kCountCounter: s.units = std::floor(spec.p1 * uptime_s / 15); break;
    case kRareCounter: s.units = std::floor(spec.p1 * 2 * uptime_s / 15); break;
    case kMemGauge:
    case kFsGauge: s.units = std::floor(spec.p1 * (0.8 + 0.2 * Uniform(rng)) / 4096) * 4096; break;
    case kFilesGauge: s.units = std::floor(spec.p1 * (0.9 + 0.1 * Uniform(rng))); break;
    case kLoadGauge: s.divisor = 100; s.units = std::round(spec.p1 * 100); break;
    case kTempGauge: s.units = spec.p1; break;
    case kBootTime: s.units = 1.7e9 - std::floor(uptime_s); break;
    case kHistFirst:
    case kHistOther: s.units = 0; break;  // histograms start empty, so buckets stay cumulative
    default: s.units = spec.p1; break;
  }
  s.value = s.units / s.divisor;
}

// Increment of a counter that mostly ticks, drawn so increments vary widely scrape to scrape.
double Burst(uint64_t& rng, double median) {
  return std::floor(median * std::exp(0.7 * Normal(rng)));
}

// Updates the 11 finite buckets, +Inf, _sum and _count that follow `first` in the template.
void AdvanceHistogram(uint64_t& rng, SeriesState* first) {
  const int n = static_cast<int>(first->p1 * (0.5 + Uniform(rng)));
  std::array<double, kLe.size() + 1> add{};
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double latency = first->p2 * std::exp(0.9 * Normal(rng));
    sum += latency;
    for (size_t b = 0; b < kLe.size(); ++b) add[b] += latency <= kLe[b] ? 1 : 0;
  }
  add[kLe.size()] = n;
  for (size_t b = 0; b <= kLe.size(); ++b) first[b].units += add[b];
  first[kLe.size() + 1].units += sum;  // _sum: full-precision float, as a real client has
  first[kLe.size() + 2].units += n;
  for (size_t b = 0; b < kLe.size() + 3; ++b) first[b].value = first[b].units;
}

}  // namespace

int NodeDataGenerator::SeriesPerHost() { return static_cast<int>(Template().size()); }

NodeDataGenerator::NodeDataGenerator(const NodeDataOptions& options) : options_(options) {
  const auto& tmpl = Template();
  const int64_t per_host = SeriesPerHost();
  const int64_t num_hosts = (options.num_series + per_host - 1) / per_host;
  hosts_.resize(num_hosts);
  states_.resize(num_hosts * per_host);
  labels_.reserve(options.num_series);
  for (int64_t h = 0; h < num_hosts; ++h) {
    Host& host = hosts_[h];
    uint64_t seed = options.seed ^ (static_cast<uint64_t>(h) * 0xd6e8feb86659fd93ULL);
    host.rng = SplitMix(seed);
    host.phase_ms = static_cast<int64_t>(SplitMix(seed) % static_cast<uint64_t>(options.interval_ms));
    char instance[32];
    std::snprintf(instance, sizeof(instance), "host-%05lld:9100", static_cast<long long>(h));
    for (int64_t i = 0; i < per_host; ++i) {
      const Spec& spec = tmpl[i];
      InitState(spec, host.rng, states_[h * per_host + i]);
      if (h * per_host + i >= options.num_series) continue;
      LabelPairs l = spec.extra;
      l.emplace_back("__name__", spec.name);
      l.emplace_back("instance", instance);
      l.emplace_back("region", kRegions[h % kRegions.size()]);
      if (std::none_of(l.begin(), l.end(), [](const auto& p) { return p.first == "job"; }))
        l.emplace_back("job", spec.app ? "api" : "node");
      std::sort(l.begin(), l.end());
      labels_.push_back(std::move(l));
    }
  }
}

int64_t NodeDataGenerator::AdvanceHost(int64_t h) {
  Host& host = hosts_[h];
  uint64_t& rng = host.rng;
  const int64_t jitter =
      static_cast<int64_t>(SplitMix(rng) % static_cast<uint64_t>(2 * options_.max_jitter_ms + 1)) -
      options_.max_jitter_ms;
  const int64_t ts = options_.start_ms + step_ * options_.interval_ms + host.phase_ms + jitter;
  const bool reboot = Uniform(rng) < kRebootProbability;
  const bool app_restart = reboot || Uniform(rng) < kAppRestartProbability;
  SeriesState* s = &states_[h * SeriesPerHost()];
  const int64_t n = SeriesPerHost();
  for (int64_t i = 0; i < n; ++i) {
    SeriesState& st = s[i];
    const bool reset = st.app ? app_restart : reboot;
    switch (st.kind) {
      case kCpuCounter:
      case kFineCounter:
        if (reset) st.units = 0;
        if (st.p1 > 0) st.units += std::floor(15 * st.p1 * st.divisor * (0.3 + 1.4 * Uniform(rng)));
        break;
      case kBytesCounter:
        if (reset) st.units = 0;
        st.units += Burst(rng, st.p1 / st.p2) * st.p2;
        break;
      case kCountCounter:
        if (reset) st.units = 0;
        st.units += Burst(rng, st.p1);
        break;
      case kRareCounter:
        if (reset) st.units = 0;
        if (Uniform(rng) < st.p1) st.units += 1 + SplitMix(rng) % 3;
        break;
      case kMemGauge: {
        const double step = std::floor(st.p2 * (2 * Uniform(rng) - 1)) * 4096;
        st.units = std::clamp(st.units + step, st.p1 * 0.3, st.p1 * 1.2);
        st.units = std::floor(st.units / 4096) * 4096;
        break;
      }
      case kLoadGauge: {
        const double target = st.p1 * 100 * (0.5 + Uniform(rng));
        st.units = std::max(0.0, std::round(st.units + st.p2 * (target - st.units)));
        break;
      }
      case kFsGauge:
        if (Uniform(rng) < 0.2) st.units -= (1 + SplitMix(rng) % 256) * 4096;
        if (Uniform(rng) < 0.0005 || st.units < st.p1 * 0.2) st.units = std::floor(st.p1 / 4096) * 4096;
        break;
      case kFilesGauge:
        if (Uniform(rng) < 0.1) st.units += static_cast<double>(SplitMix(rng) % 41) - 20;
        break;
      case kSmallInt:
        st.units = static_cast<double>(SplitMix(rng) % static_cast<uint64_t>(st.p1 + 1));
        break;
      case kTempGauge:
        if (Uniform(rng) < 0.3) st.units = std::clamp(st.units + (Uniform(rng) < 0.5 ? -1 : 1), st.p1 - 8, st.p1 + 8);
        break;
      case kTimeGauge:
        st.units = static_cast<double>(ts) / 1000 + static_cast<double>(SplitMix(rng) % 1000000) * 1e-9;
        break;
      case kBootTime:
        if (reboot) st.units = std::floor(static_cast<double>(ts) / 1000) - 20;
        break;
      case kHistFirst:
        if (reset)
          for (int64_t j = 0; j < static_cast<int64_t>(kLe.size()) + 3; ++j) (&st)[j].units = 0;
        AdvanceHistogram(rng, &st);
        continue;  // values set by AdvanceHistogram
      default:
        continue;  // kConst, kHistOther
    }
    st.value = st.units / st.divisor;
  }
  return ts;
}

}  // namespace tidemark::e2e
