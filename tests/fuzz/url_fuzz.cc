// libFuzzer target: URLs as the HTTP client takes them (configured URLs and, untrusted, the
// Location of a redirect) and URL encoding as the server decodes queries and form bodies. The
// first input byte picks the mode:
//   0: ParseUrl: a URL that parses has a usable scheme, host, port and target, and printing its
//      parts back yields a URL with the same parts;
//   1: the rest (split at the first newline) is a base URL and a Location: a Location that is not
//      absolute or scheme-relative must resolve on the base's own host and port;
//   2: a query string: its decoded pairs, re-encoded, decode to the same pairs, and every
//      string survives UrlEscape then UrlDecode in both space conventions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "fuzz_modes.h"
#include "tidemark/http/request.h"
#include "tidemark/storage/model/strconv.h"
#include "url.h"

namespace {

using namespace tidemark;
using httpclient::ParseUrl;
using httpclient::Url;

using tidemark::fuzz::Check;

void CheckUsable(const Url& u) {
  Check(u.scheme == "http" || u.scheme == "https");
  Check(!u.host.empty() && !u.port.empty());
  for (char c : u.port) Check(c >= '0' && c <= '9');
  Check(!u.target.empty() && u.target[0] == '/' && u.target.find('#') == std::string::npos);
}

void FuzzUrl(std::string_view input) {
  auto u = ParseUrl(std::string(input));
  if (!u.ok()) return;
  CheckUsable(*u);
  const std::string printed =
      u->scheme + "://" + (u->userinfo.empty() ? "" : u->userinfo + "@") + u->HostPort() + u->target;
  auto again = ParseUrl(printed);
  Check(again.ok());
  Check(again->scheme == u->scheme && again->userinfo == u->userinfo && again->host == u->host &&
        again->port == u->port && again->target == u->target);
}

void FuzzLocation(std::string_view input) {
  const size_t nl = input.find('\n');
  if (nl == std::string::npos) return;
  auto base = ParseUrl(std::string(input.substr(0, nl)));
  if (!base.ok()) return;
  const std::string location(input.substr(nl + 1));
  const std::string resolved = httpclient::ResolveLocation(*base, location);
  if (location.find("://") != std::string::npos || location.starts_with("//")) return;
  auto u = ParseUrl(resolved);
  Check(u.ok());
  CheckUsable(*u);
  Check(u->host == base->host && u->port == base->port && u->scheme == base->scheme);
}

void FuzzQuery(std::string_view input) {
  std::multimap<std::string, std::string> pairs;
  http::ParseUrlEncoded(input, pairs);
  std::string encoded;
  for (const auto& [k, v] : pairs) {
    if (!encoded.empty()) encoded += '&';
    encoded += UrlEscape(k, true) + "=" + UrlEscape(v, true);
    Check(http::UrlDecode(UrlEscape(v, false), false) == v);
    Check(http::UrlDecode(UrlEscape(v, false), true) == v);
  }
  std::multimap<std::string, std::string> again;
  http::ParseUrlEncoded(encoded, again);
  Check(again == pairs);
  Check(http::UrlDecode(UrlEscape(input, true), true) == input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::RunMode(data, size, {FuzzUrl, FuzzLocation, FuzzQuery});
}
