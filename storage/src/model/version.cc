// The build identity recorded by the build (cmake/GenerateVersion.cmake), and its `--version` text.
#include "tidemark/storage/model/version.h"

#include <utility>

#include "tidemark_build_version.h"

namespace tidemark {

const BuildInfo& GetBuildInfo() {
  static constexpr BuildInfo kInfo{TM_BUILD_VERSION, TM_BUILD_REVISION, TM_BUILD_BRANCH,
                                   TM_BUILD_USER,    TM_BUILD_DATE,     TM_BUILD_COMPILER,
                                   TM_BUILD_PLATFORM};
  return kInfo;
}

std::string VersionText(std::string_view program) {
  const BuildInfo& b = GetBuildInfo();
  // Field names padded to one column, as Prometheus' version template has them.
  std::string out = std::string(program) + ", version " + std::string(b.version) +
                    " (branch: " + std::string(b.branch) +
                    ", revision: " + std::string(b.revision) + ")\n";
  for (const auto& [name, value] : {std::pair{"build user", b.build_user},
                                    {"build date", b.build_date},
                                    {"compiler", b.compiler},
                                    {"platform", b.platform}}) {
    std::string label = std::string("  ") + name + ":";
    label.resize(20, ' ');
    out += label + std::string(value) + "\n";
  }
  return out;
}

}  // namespace tidemark
