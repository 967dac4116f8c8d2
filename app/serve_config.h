// `tidemark serve` configuration: flags, the YAML config file (Prometheus-shaped), and how they
// combine (flags win). Pure parsing; no side effects.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scrape_config.h"
#include "tidemark/alerting/notify.h"
#include "tidemark/ingest/ingester.h"
#include "tidemark/ingest/remote_write_sender.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::app {

struct ServeConfig {
  std::string config_file;
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:9090";
  std::string otlp_listen = "127.0.0.1:4318";
  std::vector<std::string> rule_files;  // globs
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  uint64_t retention_bytes = 0;
  int64_t query_timeout_ms = 2 * 60 * 1000;
  uint64_t query_max_samples = 50'000'000;
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  uint64_t query_max_concurrency = 20;
  uint64_t query_max_queue_length = 64;  // queries waiting for a slot; 503 beyond (0 = none wait)
  uint64_t query_max_bytes = 2ULL << 30;  // accounted memory per query, 422 above (0 = unlimited)
  uint64_t query_workers = 0;  // 0 = one per CPU core
  uint64_t query_range_cache_bytes = 128ULL << 20;  // range results cache (0 = off)
  int64_t query_range_cache_recent_window_ms = 5 * 60 * 1000;  // newest steps never cached
  std::string log_level = "info";
  bool enable_admin_api = false;
  bool enable_lifecycle = false;              // /-/reload and /-/quit over HTTP
  bool enable_remote_write_receiver = false;  // accepted for Prometheus' users; the receiver is always on
  std::string web_config_file;                // TLS, basic auth, headers (exporter-toolkit format)
  std::string sync = "wal";        // wal | fsync
  std::string storage = "rocksdb";  // rocksdb | memory (tests, demos)
  int64_t out_of_order_window_ms = 10 * 60 * 1000;
  uint64_t max_body_bytes = 32u << 20;
  int64_t web_read_timeout_ms = 5 * 60 * 1000;  // reading a request, and idle keep-alive
  uint64_t web_max_connections = 512;            // per listener (0 = unlimited)
  // Ingest limits (0 = unlimited), answered 400 naming the limit (docs/ingest.md).
  uint64_t ingest_label_limit = 64;
  uint64_t ingest_label_name_length_limit = 1024;
  uint64_t ingest_label_value_length_limit = 4096;
  uint64_t ingest_series_limit = 0;
  uint64_t ingest_series_limit_per_metric = 0;
  std::string external_url;  // as given; ExternalUrl() (external_url.h) normalises it
  std::string route_prefix;  // as given; RoutePrefix() defaults it to the external URL's path
  // Prometheus' --storage.remote.read-* limits (0 = unlimited).
  uint64_t remote_read_sample_limit = 50'000'000;
  uint64_t remote_read_concurrent_limit = 10;
  uint64_t remote_read_max_bytes_in_frame = 1 << 20;
  int64_t for_outage_tolerance_ms = 3'600'000;
  int64_t for_grace_period_ms = 600'000;
  int64_t resend_delay_ms = 60'000;
  // From the YAML file only.
  int64_t evaluation_interval_ms = 60'000;
  std::vector<std::pair<std::string, std::string>> external_labels;
  std::vector<alerting::AlertmanagerTarget> alertmanagers;  // http_config files read at parse
  std::vector<relabel::Config> alert_relabel_configs;  // alerting.alert_relabel_configs, as read
  relabel::Relabeler alert_relabel;                    // ... and compiled
  std::string notifications_yaml;  // Alertmanager-schema route/receivers, parsed by alerting
  std::vector<std::string> slo_files;
  ingest::IngestOptions::Otlp otlp;  // the `otlp:` section (reloaded with the file)
  std::vector<ingest::RemoteWriteConfig> remote_write;  // *_file secrets read at parse
  ScrapeGlobals scrape_globals;                     // global.scrape_* (reloaded with the file)
  std::vector<ingest::ScrapeConfig> scrape_configs;  // reloaded with the file
  std::vector<std::string> warnings;  // accepted-but-unsupported sections
};

struct FlagInfo {
  std::string name;  // without "--"; Prometheus' name where Prometheus has the flag
  std::string value_hint;
  std::string help;
  std::string dflt;
  std::string alias = "";  // Tidemark's earlier name, still accepted ("" = none)
};
const std::vector<FlagInfo>& ServeFlags();

// Parses argv (after "serve"): `--name value`, `--name=value`, `--[no-]bool` (kingpin's forms),
// by name or alias. Sets *help when --help was given. Errors are one line; an unknown flag's
// names the closest known one. Flags override values from the config file named by
// --config.file, which is read here.
Result<ServeConfig> ParseServeArgs(const std::vector<std::string>& args, bool* help);
// Applies a YAML config text onto `cfg` (errors name unknown keys and bad values). Relative
// paths in http_config fields resolve against the directory of cfg.config_file.
Status ApplyYamlConfig(const std::string& yaml_text, ServeConfig& cfg);
// The effective configuration as YAML (for /api/v1/status/config); secrets show as <secret>.
std::string EffectiveConfigYaml(const ServeConfig& cfg);
// The notifications (Alertmanager-schema) YAML with secrets shown as <secret>.
std::string MaskNotificationSecrets(const std::string& yaml);
// Flag name -> effective value (for /api/v1/status/flags).
std::vector<std::pair<std::string, std::string>> EffectiveFlags(const ServeConfig& cfg);
std::string ServeUsage();

// "10GB", "512MB", "1024" -> bytes.
Result<uint64_t> ParseByteSize(const std::string& s);

}  // namespace tidemark::app
