// logfmt rendering.
#include "tidemark/http/log.h"

#include "tidemark/storage/model/strconv.h"

#include <chrono>

namespace tidemark::http {

bool ParseLogLevel(std::string_view s, LogLevel* out) {
  if (s == "debug") *out = LogLevel::kDebug;
  else if (s == "info") *out = LogLevel::kInfo;
  else if (s == "warn") *out = LogLevel::kWarn;
  else if (s == "error") *out = LogLevel::kError;
  else return false;
  return true;
}

std::string Logger::Quote(std::string_view v) {
  bool needs = v.empty();
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) needs = true;
  }
  if (!needs) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void Logger::Log(LogLevel level, std::string_view msg, Fields fields) {
  if (!Enabled(level)) return;
  std::string rendered;
  for (const auto& [k, v] : fields) AppendField(rendered, k, v);
  Write(level, msg, rendered);
}

void Logger::Log(LogLevel level, std::string_view msg,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  if (!Enabled(level)) return;
  std::string rendered;
  for (const auto& [k, v] : fields) AppendField(rendered, k, v);
  Write(level, msg, rendered);
}

void Logger::AppendField(std::string& out, std::string_view k, std::string_view v) {
  out += ' ';
  out += k;
  out += '=';
  out += Quote(v);
}

void Logger::Write(LogLevel level, std::string_view msg, const std::string& fields) {
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string line = "ts=";
  line += FormatRfc3339(ms, Rfc3339Fraction::kMillis);
  line += " level=";
  line += kNames[static_cast<int>(level)];
  line += " msg=";
  line += Quote(msg);
  line += fields;
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace tidemark::http
