# Build identity for `tidemark --version` and tidemark_build_info, taken when CMake configures:
# git describe/branch of the source tree (or the TM_BUILD_REVISION / TM_BUILD_BRANCH cache
# values, e.g. for a source tarball), user@host, UTC date, compiler and platform. The values land
# in a generated header that only storage/src/model/version.cc includes, so a re-configure
# recompiles that one file.
set(TM_BUILD_REVISION "" CACHE STRING "revision to report instead of git describe (empty: ask git)")
set(TM_BUILD_BRANCH "" CACHE STRING "branch to report instead of git's (empty: ask git)")

set(tm_revision "${TM_BUILD_REVISION}")
set(tm_branch "${TM_BUILD_BRANCH}")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  if(tm_revision STREQUAL "")
    execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=40
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE tm_revision
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
  if(tm_branch STREQUAL "")
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --abbrev-ref HEAD
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE tm_branch
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(tm_branch STREQUAL "HEAD")  # detached: no branch to name
      set(tm_branch "")
    endif()
  endif()
endif()
if(tm_revision STREQUAL "")
  set(tm_revision "unknown")
endif()

if(DEFINED ENV{USER} AND NOT "$ENV{USER}" STREQUAL "")
  set(tm_user "$ENV{USER}")
else()
  execute_process(COMMAND id -un OUTPUT_VARIABLE tm_user OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
cmake_host_system_information(RESULT tm_host QUERY HOSTNAME)
set(tm_build_user "${tm_user}@${tm_host}")
string(TIMESTAMP tm_build_date "%Y%m%d-%H:%M:%S" UTC)
set(tm_compiler "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")

# Go's GOOS/GOARCH spelling, as `prometheus --version` prints its platform.
string(TOLOWER "${CMAKE_SYSTEM_NAME}" tm_os)
set(tm_arch "${CMAKE_SYSTEM_PROCESSOR}")
if(tm_arch MATCHES "^(x86_64|AMD64)$")
  set(tm_arch "amd64")
elseif(tm_arch MATCHES "^(aarch64|arm64)$")
  set(tm_arch "arm64")
endif()
set(tm_platform "${tm_os}/${tm_arch}")

configure_file(${CMAKE_CURRENT_LIST_DIR}/build_version.h.in
  ${PROJECT_BINARY_DIR}/generated/tidemark_build_version.h @ONLY)
