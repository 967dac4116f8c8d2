// `tidemark notify test`: sends a test notification through one receiver of a config file and
// prints what each of its integrations answered (exit 0 = all delivered, 1 = not, 2 = usage or
// config error).
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "external_url.h"
#include "serve_config.h"
#include "tidemark/alerting/config_check.h"
#include "tidemark/alerting/manager.h"

namespace tidemark::app {

namespace {

constexpr const char* kUsage =
    "usage: tidemark notify test --config FILE --receiver NAME [--label k=v]... [--annotation k=v]...\n"
    "  FILE is a tidemark config (its notifications: section) or an Alertmanager config file.\n";

int Usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "tidemark notify test: %s\n", why.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

struct Loaded {
  std::string notifications_yaml, base_dir, external_url;
};

// A tidemark config is read as `serve` reads it (same checks and messages); a file with a
// top-level `route:` and no `notifications:` is an Alertmanager config.
Result<Loaded> LoadConfig(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Status::InvalidArgument("cannot read config file " + file);
  std::stringstream text;
  text << in.rdbuf();
  Loaded out;
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ": " + e.what());
  }
  if (root.IsMap() && root["route"] && !root["notifications"]) {
    out.notifications_yaml = text.str();
    out.base_dir = std::filesystem::path(file).parent_path().string();
    TM_RETURN_IF_ERROR(alerting::CheckNotificationConfig(out.notifications_yaml, out.base_dir));
    out.external_url = "http://127.0.0.1:9090";
    return out;
  }
  bool help = false;
  TM_ASSIGN_OR_RETURN(ServeConfig cfg, ParseServeArgs({"--config=" + file}, &help));
  if (cfg.notifications_yaml.empty()) return Status::InvalidArgument(file + ": no notifications: section");
  out.notifications_yaml = cfg.notifications_yaml;
  out.base_dir = std::filesystem::path(file).parent_path().string();
  out.external_url = ExternalUrl(cfg);
  return out;
}

bool SplitPair(const std::string& kv, std::vector<std::pair<std::string, std::string>>* out) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  out->emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  return true;
}

}  // namespace

int NotifyMain(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] != "test") return Usage(args.empty() ? "" : "unknown subcommand \"" + args[0] + "\"");
  std::string config;
  alerting::TestNotificationRequest req;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag = args[i], value;
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (const size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Usage("flag " + flag + " needs a value");
    }
    if (flag == "--config") {
      config = value;
    } else if (flag == "--receiver") {
      req.receiver = value;
    } else if (flag == "--label") {
      if (!SplitPair(value, &req.labels)) return Usage("--label must be name=value, got \"" + value + "\"");
    } else if (flag == "--annotation") {
      if (!SplitPair(value, &req.annotations)) return Usage("--annotation must be name=value, got \"" + value + "\"");
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (config.empty()) return Usage("--config is required");
  if (req.receiver.empty()) return Usage("--receiver is required");
  auto loaded = LoadConfig(config);
  if (!loaded.ok()) {
    std::fprintf(stderr, "tidemark notify test: %s\n", loaded.status().message().c_str());
    return 2;
  }
  auto answers = alerting::SendTestNotification(loaded->notifications_yaml, loaded->base_dir,
                                                loaded->external_url, req, alerting::SystemClock().Now());
  if (!answers.ok()) {
    std::fprintf(stderr, "tidemark notify test: %s\n", answers.status().message().c_str());
    return 2;
  }
  if (answers->empty()) {
    std::fprintf(stderr, "tidemark notify test: receiver \"%s\" has no integrations\n", req.receiver.c_str());
    return 1;
  }
  bool all = true;
  for (const auto& a : *answers) {
    all &= a.delivered;
    std::printf("%s %s: %s", req.receiver.c_str(), a.integration.c_str(), a.delivered ? "delivered" : "FAILED");
    if (a.status_code != 0) std::printf(" (status %d, body \"%s\")", a.status_code, a.body.c_str());
    if (!a.error.empty() && a.status_code == 0) std::printf(": %s", a.error.c_str());
    std::printf("\n");
  }
  return all ? 0 : 1;
}

}  // namespace tidemark::app
