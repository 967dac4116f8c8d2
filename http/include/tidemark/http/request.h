// Transport-independent request/response types that route handlers see (no Beast types leak).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::http {

// Tells a handler that its client went away (closed or reset the connection) while the request was
// being handled, e.g. Grafana dropping a superseded query: nobody will read the answer, so long
// work can stop. The server calls Set() from an I/O thread; a handler registers what to stop with
// OnSet() and removes it with Clear() before that goes out of scope. Thread-safe.
class DisconnectSignal {
 public:
  void Set();
  bool is_set() const;
  // Runs `fn` once when Set() is called, or at once if it already was. One callback at a time.
  void OnSet(std::function<void()> fn);
  // Removes the callback; once this returns it is not running and will not run.
  void Clear();

 private:
  mutable std::mutex mu_;
  bool set_ = false;
  std::function<void()> fn_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, with query string
  std::string path;    // decoded path without query string
  // Lower-cased header names.
  std::vector<std::pair<std::string, std::string>> headers;
  // Query-string parameters followed by form-body parameters (POST x-www-form-urlencoded).
  std::multimap<std::string, std::string> params;
  // Values captured by ":name" segments of the matched route pattern.
  std::map<std::string, std::string> path_vars;
  std::string body;  // after Content-Encoding: gzip was undone (unless the route wants raw bodies)
  std::string remote;
  // Set by the server for handlers it runs on a worker pool; null for inline handlers and in tests
  // that call handlers directly.
  std::shared_ptr<DisconnectSignal> disconnect;

  std::string_view Header(std::string_view lower_name) const;
  bool HasParam(const std::string& name) const { return params.count(name) > 0; }
  // First value, or "" when absent.
  std::string Param(const std::string& name) const;
  std::vector<std::string> ParamAll(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Percent-decoding for URL components; `plus_is_space` for form encoding.
std::string UrlDecode(std::string_view s, bool plus_is_space);
// Parses "a=1&b=2" (form/query encoding) appending to `out`.
void ParseUrlEncoded(std::string_view s, std::multimap<std::string, std::string>& out);

}  // namespace tidemark::http
