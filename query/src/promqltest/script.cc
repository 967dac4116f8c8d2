// Splits a promql-test script into commands, following the upstream runner's block rules.
#include "promqltest/script.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace tidemark::query::script {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string FirstWord(const std::string& l) {
  size_t e = l.find_first_of(" \t");
  return e == std::string::npos ? l : l.substr(0, e);
}

// Parses `expect <type> [msg:|regex: text]`.
bool ParseExpect(const std::string& line, EvalCmd* cmd, std::string* err) {
  static const std::regex kExpect(R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  std::smatch m;
  if (!std::regex_match(line, m, kExpect)) {
    *err = "invalid expect statement \"" + line + "\"";
    return false;
  }
  std::string type = m[1];
  AnnoPattern p;
  if (m[2].matched) {
    std::string text = Trim(m[3].str());
    if (m[2] == "msg") p.msg = text; else p.regex = text;
  }
  if (type == "ordered") cmd->ordered = true;
  else if (type == "fail") { cmd->fail = true; cmd->fail_pattern = p; }
  else if (type == "warn") cmd->warn_patterns.push_back(p);
  else if (type == "info") cmd->info_patterns.push_back(p);
  else if (type == "no_warn") cmd->no_warn = true;
  else if (type == "no_info") cmd->no_info = true;
  return true;
}

bool ParseEvalHeader(const std::string& line, EvalCmd* cmd, std::string* err) {
  static const std::regex kInstant(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  static const std::regex kRange(R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  std::smatch m;
  std::string mod;
  cmd->header = line;
  if (std::regex_match(line, m, kInstant)) {
    mod = m[1];
    auto t = ParseScriptDuration(m[2].str());
    if (!t.ok()) {
      *err = "invalid timestamp definition \"" + m[2].str() + "\"";
      return false;
    }
    cmd->t = *t;
    cmd->expr = m[3];
  } else if (std::regex_match(line, m, kRange)) {
    mod = m[1];
    cmd->is_range = true;
    auto s = ParseScriptDuration(m[2].str());
    auto e = ParseScriptDuration(m[3].str());
    auto st = ParseScriptDuration(m[4].str());
    if (!s.ok() || !e.ok() || !st.ok()) {
      *err = "invalid range definition";
      return false;
    }
    cmd->start = *s;
    cmd->end = *e;
    cmd->step = *st;
    cmd->expr = m[5];
  } else {
    *err = "invalid evaluation command";
    return false;
  }
  if (mod == "fail") cmd->fail = true;
  if (mod == "warn") cmd->warn = true;
  if (mod == "info") cmd->info = true;
  if (mod == "ordered") cmd->ordered = true;
  return true;
}

}  // namespace

std::vector<Command> ParseScript(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string l = Trim(text.substr(pos, nl - pos));
    if (!l.empty() && l[0] == '#') l.clear();
    lines.push_back(std::move(l));
    pos = nl + 1;
  }
  std::vector<Command> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) continue;
    Command cmd;
    cmd.line = static_cast<int>(i + 1);
    std::string word = Lower(FirstWord(l));
    if (word == "clear") {
      cmd.kind = Command::kClear;
      out.push_back(std::move(cmd));
      continue;
    }
    if (word.rfind("load", 0) == 0) {
      static const std::regex kLoad(R"(^load(?:_(with_nhcb))?\s+(.+?)$)");
      std::smatch m;
      cmd.kind = Command::kLoad;
      if (!std::regex_match(l, m, kLoad)) {
        cmd.kind = Command::kError;
        cmd.error = "invalid load command";
      } else {
        cmd.load.with_nhcb = m[1].matched;
        auto iv = ParseScriptDuration(m[2].str());
        if (!iv.ok()) {
          cmd.kind = Command::kError;
          cmd.error = "invalid load interval";
        } else {
          cmd.load.interval_ms = *iv;
        }
      }
      while (i + 1 < lines.size() && !lines[i + 1].empty()) {
        ++i;
        auto s = ParseSeriesLine(lines[i]);
        if (!s.ok()) {
          cmd.kind = Command::kError;
          cmd.error = "line " + std::to_string(i + 1) + ": " + s.status().message();
          continue;
        }
        cmd.load.series.push_back(std::move(*s));
      }
      out.push_back(std::move(cmd));
      continue;
    }
    if (word.rfind("eval", 0) == 0) {
      cmd.kind = Command::kEval;
      EvalCmd& ev = cmd.eval;
      std::string err;
      if (!ParseEvalHeader(l, &ev, &err)) {
        cmd.kind = Command::kError;
        cmd.error = err;
      }
      ev.has_histogram_text = l.find("{{") != std::string::npos;
      while (i + 1 < lines.size() && !lines[i + 1].empty()) {
        ++i;
        const std::string& d = lines[i];
        if (d.find("{{") != std::string::npos) ev.has_histogram_text = true;
        if (ev.fail && d.rfind("expected_fail_message", 0) == 0) {
          ev.fail_pattern = AnnoPattern{Trim(d.substr(21)), ""};
          break;
        }
        if (ev.fail && d.rfind("expected_fail_regexp", 0) == 0) {
          ev.fail_pattern = AnnoPattern{"", Trim(d.substr(20))};
          break;
        }
        if (d.rfind("expect range vector", 0) == 0) {
          static const std::regex kRange(R"(^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
          std::smatch m;
          if (std::regex_match(d, m, kRange)) {
            auto s = ParseScriptDuration(m[1].str());
            auto e = ParseScriptDuration(m[2].str());
            auto st = ParseScriptDuration(m[3].str());
            if (s.ok() && e.ok() && st.ok()) {
              ev.start = *s;
              ev.end = *e;
              ev.step = *st;
              ev.t = *e;
              ev.expect_range_vector = true;
              ev.exclude_from_range = true;
              continue;
            }
          }
          cmd.kind = Command::kError;
          cmd.error = "invalid expect range vector";
          continue;
        }
        if (d.rfind("expect string", 0) == 0) {
          std::string s = Trim(d.substr(13));
          if (s.size() >= 2 && (s[0] == '"' || s[0] == '`')) s = s.substr(1, s.size() - 2);
          ev.expected_string = s;
          ev.exclude_from_range = true;
          continue;
        }
        if (FirstWord(d) == "expect") {
          if (!ParseExpect(d, &ev, &err)) {
            cmd.kind = Command::kError;
            cmd.error = err;
          }
          continue;
        }
        if (auto n = ParseNumber(d)) {
          ev.expect_scalar = true;
          ev.scalar = *n;
          break;
        }
        auto s = ParseSeriesLine(d);
        if (!s.ok()) {
          cmd.kind = Command::kError;
          cmd.error = "line " + std::to_string(i + 1) + ": " + s.status().message();
          continue;
        }
        ev.expected.push_back(std::move(*s));
      }
      out.push_back(std::move(cmd));
      continue;
    }
    cmd.kind = Command::kError;
    cmd.error = "invalid command \"" + l + "\"";
    out.push_back(std::move(cmd));
  }
  return out;
}

}  // namespace tidemark::query::script
