// A logfmt logger writing one line per event to a FILE* (stderr by default); thread-safe.
#pragma once

#include <atomic>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::http {

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug|info|warn|error"; false if unknown.
bool ParseLogLevel(std::string_view s, LogLevel* out);

class Logger {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  explicit Logger(FILE* out = stderr, LogLevel level = LogLevel::kInfo) : out_(out), level_(level) {}

  void set_level(LogLevel l) { level_.store(l); }
  bool Enabled(LogLevel l) const { return l >= level_.load(); }

  void Log(LogLevel level, std::string_view msg, Fields fields = {});
  // The same with fields built at run time (e.g. handed over by another module).
  void Log(LogLevel level, std::string_view msg,
           const std::vector<std::pair<std::string, std::string>>& fields);
  void Debug(std::string_view msg, Fields f = {}) { Log(LogLevel::kDebug, msg, f); }
  void Info(std::string_view msg, Fields f = {}) { Log(LogLevel::kInfo, msg, f); }
  void Warn(std::string_view msg, Fields f = {}) { Log(LogLevel::kWarn, msg, f); }
  void Error(std::string_view msg, Fields f = {}) { Log(LogLevel::kError, msg, f); }

  // logfmt value quoting: bare when safe, else "…" with escapes.
  static std::string Quote(std::string_view v);

 private:
  static void AppendField(std::string& out, std::string_view k, std::string_view v);
  void Write(LogLevel level, std::string_view msg, const std::string& fields);

  FILE* out_;
  std::atomic<LogLevel> level_;
  std::mutex mu_;
};

}  // namespace tidemark::http
