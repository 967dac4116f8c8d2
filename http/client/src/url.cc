// URL splitting for the client; errors never echo the URL (its path may be a secret).
#include "url.h"

namespace tidemark::httpclient {

std::string Url::HostPort() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + port;
}

Result<Url> ParseUrl(const std::string& url) {
  Url u;
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return Status::InvalidArgument("not an absolute http(s) URL");
  u.scheme = url.substr(0, sep);
  for (char& c : u.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") {
    return Status::InvalidArgument("unsupported URL scheme \"" + u.scheme + "\" (http or https)");
  }
  std::string rest = url.substr(sep + 3);
  const size_t end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, end);
  u.target = end == std::string::npos ? "/" : rest.substr(end);
  if (const size_t hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] != '/') u.target = "/" + u.target;
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    u.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("bad IPv6 host in URL");
    u.host = authority.substr(1, close - 1);
    // An IPv6 literal (with an optional %zone): HostPort() brackets a host again only for its
    // colons, so anything else in brackets would print as another URL.
    const size_t zone = u.host.find('%');
    const bool literal =
        u.host.find(':') < zone &&
        u.host.find_first_not_of("0123456789abcdefABCDEF:.") >= zone &&
        (zone == std::string::npos ||
         u.host.find_first_not_of(
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._~%", zone) ==
             std::string::npos);
    if (!literal) return Status::InvalidArgument("bad IPv6 host in URL");
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::InvalidArgument("bad host in URL");
      u.port = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
    // Only a bracketed (IPv6) host may hold a colon; HostPort() would bracket "a:b" into
    // another host than the one written.
    if (u.host.find(':') != std::string::npos) return Status::InvalidArgument("bad host in URL");
  }
  if (u.host.empty()) return Status::InvalidArgument("URL has no host");
  if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
  for (char c : u.port) {
    if (c < '0' || c > '9') return Status::InvalidArgument("bad port in URL");
  }
  return u;
}

std::string ResolveLocation(const Url& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  const std::string origin = base.scheme + "://" + base.HostPort();
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string dir = base.target.substr(0, base.target.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return origin + dir + location;
}

}  // namespace tidemark::httpclient
