# Helpers so every target gets the same warnings, and module libraries are declared in one line.

# -Werror only when asked (TM_WERROR, on in scripts/build.sh and CI): a packager's or user's
# plain `cmake -DCMAKE_BUILD_TYPE=Release` must build with any GCC or Clang, whose newer warnings
# (or -O3 false positives) would otherwise stop it.
function(tm_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wsign-compare
    -Wnon-virtual-dtor -Woverloaded-virtual -Wvla -Wundef)
  if(TM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# tm_module(<name> DEPS <targets...>): a module library from <name>/src/*.cc with public
# headers in <name>/include. Sources are globbed so adding a file needs no CMake edit.
function(tm_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cc)
  if(NOT srcs)  # a module not written yet: headers only
    add_library(tidemark_${name} INTERFACE)
    target_include_directories(tidemark_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(tidemark_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(tidemark_${name} STATIC ${srcs})
  target_include_directories(tidemark_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(tidemark_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  tm_warnings(tidemark_${name})
endfunction()

# tm_test_dir(<module> DEPS <targets...>): one gtest binary per tests/<module> folder.
function(tm_test_dir module)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${module}_tests ${srcs})
  target_link_libraries(${module}_tests PRIVATE ${ARG_DEPS} tidemark_testsupport GTest::gtest_main GTest::gmock)
  target_compile_definitions(${module}_tests PRIVATE
    TM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  tm_warnings(${module}_tests)
  gtest_discover_tests(${module}_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${module})
endfunction()
