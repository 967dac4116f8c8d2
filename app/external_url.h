// --web.external-url and --web.route-prefix as Prometheus reads them: the base of every link a
// notification carries, and the path prefix the HTTP routes are served under.
#pragma once

#include <string>

#include "serve_config.h"

namespace tidemark::app {

// The external URL without trailing slashes ("http://host/prom/" -> "http://host/prom"), so links
// are base + "/graph?..."; http://<listen> when the flag is not set.
std::string ExternalUrl(const ServeConfig& cfg);

// The route prefix without a trailing slash ("" for the root): --web.route-prefix when given,
// else the external URL's path, as Prometheus defaults it.
std::string RoutePrefix(const ServeConfig& cfg);

}  // namespace tidemark::app
