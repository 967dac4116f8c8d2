// HttpRequest accessors, DisconnectSignal and URL decoding.
#include "tidemark/http/request.h"

#include <utility>

namespace tidemark::http {

void DisconnectSignal::Set() {
  std::lock_guard<std::mutex> lock(mu_);
  if (set_) return;
  set_ = true;
  // Under the lock so that Clear() returning means the callback is done.
  if (fn_) std::exchange(fn_, nullptr)();
}

bool DisconnectSignal::is_set() const {
  std::lock_guard<std::mutex> lock(mu_);
  return set_;
}

void DisconnectSignal::OnSet(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (set_) {
    fn();
    return;
  }
  fn_ = std::move(fn);
}

void DisconnectSignal::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  fn_ = nullptr;
}

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

std::string HttpRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::vector<std::string> HttpRequest::ParamAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = params.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = HexVal(s[i + 1]);
      int lo = HexVal(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (c == '+' && plus_is_space) ? ' ' : c;
  }
  return out;
}

void ParseUrlEncoded(std::string_view s, std::multimap<std::string, std::string>& out) {
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view part = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq), true);
    std::string val = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(val));
  }
}

}  // namespace tidemark::http
