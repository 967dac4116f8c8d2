// Loading the web configuration file and following its changes (WebConfigWatcher).
#include <filesystem>

#include "tidemark/http/web_config.h"
#include "tidemark/httpclient/config.h"
#include "web_snapshot.h"

namespace tidemark::http {
namespace {

Result<std::string> ReadWebConfigFile(const std::string& path) {
  return httpclient::ReadConfigFile(path, "", "--web.config.file");
}

}  // namespace

Result<std::shared_ptr<WebSnapshot>> BuildWebSnapshot(const std::string& path, std::string raw,
                                                      std::shared_ptr<BasicAuthVerifier> auth) {
  auto named = [&path](const Status& s) {
    return Status::InvalidArgument(path + ": " + s.message());
  };
  const std::string dir = std::filesystem::path(path).parent_path().string();
  auto cfg = ParseWebConfig(raw, dir);
  if (!cfg.ok()) return named(cfg.status());
  auto snap = std::make_shared<WebSnapshot>();
  snap->config = std::move(*cfg);
  snap->raw = std::move(raw);
  snap->auth = std::move(auth);
  if (snap->config.tls.enabled()) {
    auto material = ReadTlsMaterial(snap->config.tls);
    if (!material.ok()) return named(material.status());
    snap->material = std::move(*material);
    auto ctx = MakeServerTlsContext(snap->config.tls, snap->material);
    if (!ctx.ok()) return named(ctx.status());
    snap->ssl = std::move(*ctx);
  }
  return snap;
}

Result<WebConfig> LoadWebConfig(const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string raw, ReadWebConfigFile(path));
  TM_ASSIGN_OR_RETURN(auto snap, BuildWebSnapshot(path, std::move(raw), nullptr));
  return snap->config;
}

Result<std::unique_ptr<WebConfigWatcher>> WebConfigWatcher::Open(const std::string& path,
                                                                 Logger* log) {
  std::unique_ptr<WebConfigWatcher> w(new WebConfigWatcher(path, log));
  w->auth_ = std::make_shared<BasicAuthVerifier>();
  TM_ASSIGN_OR_RETURN(std::string raw, ReadWebConfigFile(path));
  TM_ASSIGN_OR_RETURN(auto snap, BuildWebSnapshot(path, std::move(raw), w->auth_));
  w->tls_ = snap->ssl != nullptr;
  w->current_ = std::move(snap);
  return w;
}

WebConfigWatcher::~WebConfigWatcher() = default;

void WebConfigWatcher::Report(const std::string& error) {
  if (error == last_error_) return;
  last_error_ = error;
  log_->Error("cannot reload the web config; keeping the previous one",
              {{"file", path_}, {"err", error}});
}

std::shared_ptr<const WebSnapshot> WebConfigWatcher::Current(bool with_tls_files) {
  auto raw = ReadWebConfigFile(path_);  // outside the lock: requests do not queue on the disk
  std::lock_guard<std::mutex> lock(mu_);
  if (!raw.ok()) {
    Report(raw.status().message());
    return current_;
  }
  const bool check_files = with_tls_files && tls_;
  if (*raw == current_->raw) {
    if (!check_files) return current_;
    auto material = ReadTlsMaterial(current_->config.tls);
    if (!material.ok()) {
      Report(path_ + ": " + material.status().message());
      return current_;
    }
    if (*material == current_->material) return current_;
  } else if (*raw == last_bad_raw_ && !check_files) {
    return current_;  // already reported; a connection retries in case a referenced file changed
  }
  auto next = BuildWebSnapshot(path_, *raw, auth_);
  if (!next.ok()) {
    last_bad_raw_ = *raw;
    Report(next.status().message());
    return current_;
  }
  if (((*next)->ssl != nullptr) != tls_) {
    last_bad_raw_ = *raw;
    Report(path_ + ": switching between TLS and plain HTTP needs a restart");
    return current_;
  }
  current_ = std::move(*next);
  last_error_.clear();
  last_bad_raw_.clear();
  log_->Info("web config reloaded", {{"file", path_}});
  return current_;
}

}  // namespace tidemark::http
