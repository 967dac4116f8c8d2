// Splitting absolute http(s) URLs, and resolving a redirect's Location against the request URL.
#pragma once

#include <string>

#include "tidemark/storage/model/status.h"

namespace tidemark::httpclient {

struct Url {
  std::string scheme;    // http | https
  std::string userinfo;  // "user:pass" or ""
  std::string host;      // without IPv6 brackets
  std::string port;      // explicit or the scheme's default
  std::string target;    // path and query, at least "/"
  std::string HostPort() const;  // for Host: and CONNECT, brackets restored for IPv6
};

Result<Url> ParseUrl(const std::string& url);

// The absolute URL a Location header points to (absolute, scheme-relative, absolute-path or
// relative-path references).
std::string ResolveLocation(const Url& base, const std::string& location);

}  // namespace tidemark::httpclient
