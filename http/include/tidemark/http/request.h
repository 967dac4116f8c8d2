// Transport-independent request/response types that route handlers see (no Beast types leak).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::http {

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
