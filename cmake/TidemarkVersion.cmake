# Build identity for `tidemark --version` and tidemark_build_info. A target run on every build
# (cmake/GenerateVersion.cmake) asks git for the revision and branch and rewrites the generated
# header only when they changed, stamping the date and user then: a commit shows in the next
# build without re-configuring, and an unchanged tree rebuilds nothing. TM_BUILD_REVISION and
# TM_BUILD_BRANCH replace git's answers (e.g. when building from a source tarball).
set(TM_BUILD_REVISION "" CACHE STRING "revision to report instead of git describe (empty: ask git)")
set(TM_BUILD_BRANCH "" CACHE STRING "branch to report instead of git's (empty: ask git)")

find_package(Git QUIET)
cmake_host_system_information(RESULT tm_host QUERY HOSTNAME)
# Go's GOOS/GOARCH spelling, as `prometheus --version` prints its platform.
string(TOLOWER "${CMAKE_SYSTEM_NAME}" tm_os)
set(tm_arch "${CMAKE_SYSTEM_PROCESSOR}")
if(tm_arch MATCHES "^(x86_64|AMD64)$")
  set(tm_arch "amd64")
elseif(tm_arch MATCHES "^(aarch64|arm64)$")
  set(tm_arch "arm64")
endif()

set(tm_version_header ${PROJECT_BINARY_DIR}/generated/tidemark_build_version.h)
add_custom_target(tidemark_build_version
  COMMAND ${CMAKE_COMMAND}
    -DOUT=${tm_version_header}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DGIT=${GIT_EXECUTABLE}
    -DREVISION_OVERRIDE=${TM_BUILD_REVISION}
    -DBRANCH_OVERRIDE=${TM_BUILD_BRANCH}
    -DVERSION=${PROJECT_VERSION}
    -DHOST=${tm_host}
    "-DCOMPILER=${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
    -DPLATFORM=${tm_os}/${tm_arch}
    -P ${CMAKE_CURRENT_LIST_DIR}/GenerateVersion.cmake
  BYPRODUCTS ${tm_version_header}
  COMMENT "" VERBATIM)
