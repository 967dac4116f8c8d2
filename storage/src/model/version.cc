// The build identity recorded at configure time, and its `--version` rendering.
#include "tidemark/storage/model/version.h"

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
  std::string out(program);
  out += ", version ";
  out += b.version;
  out += " (branch: ";
  out += b.branch;
  out += ", revision: ";
  out += b.revision;
  out += ")\n  build user:       ";
  out += b.build_user;
  out += "\n  build date:       ";
  out += b.build_date;
  out += "\n  compiler:         ";
  out += b.compiler;
  out += "\n  platform:         ";
  out += b.platform;
  out += "\n";
  return out;
}

}  // namespace tidemark
