// What this binary was built from, for `tidemark --version` and the tidemark_build_info series:
// the values the build recorded (cmake/TidemarkVersion.cmake: git revision and branch, user, date).
#pragma once

#include <string>
#include <string_view>

namespace tidemark {

struct BuildInfo {
  std::string_view version;     // the project version, e.g. "0.1.0"
  std::string_view revision;    // git describe --always --dirty --abbrev=40, or "unknown"
  std::string_view branch;      // "" when not known (detached HEAD, no git)
  std::string_view build_user;  // user@host
  std::string_view build_date;  // UTC, "20060102-15:04:05" as Prometheus prints it
  std::string_view compiler;    // e.g. "GNU 12.2.0" (Prometheus' goversion)
  std::string_view platform;    // GOOS/GOARCH spelling, e.g. "linux/amd64"
};

const BuildInfo& GetBuildInfo();

// The `prometheus --version` layout with `program` as the first word.
std::string VersionText(std::string_view program);

}  // namespace tidemark
