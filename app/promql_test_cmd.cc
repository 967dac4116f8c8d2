// `tidemark promql-test [--store=mem|disk] [--quiet] [--list-passing=FILE] FILE...`: runs PromQL
// test scripts and prints per-file and total pass figures, plus the stable-float figure.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "commands.h"
#include "tidemark/query/promql_test.h"

namespace tidemark::app {
namespace {

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: tidemark promql-test [--store=mem|disk] [--quiet] [--list-passing=FILE] "
               "FILE...\n"
               "  --store=mem|disk     run against the in-memory store (default) or a temporary\n"
               "                       on-disk store\n"
               "  --quiet              do not print details of failing cases\n"
               "  --list-passing=FILE  write the IDs (file:line) of passing cases to FILE\n");
}

}  // namespace

int PromqlTestMain(int argc, char** argv) {
  query::PromqlTestOptions options;
  bool quiet = false;
  std::string list_passing;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      PrintUsage(stdout);
      return 0;
    } else if (a == "--store=mem") {
      options.store = query::TestStore::kMem;
    } else if (a == "--store=disk") {
      options.store = query::TestStore::kDisk;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a.rfind("--list-passing=", 0) == 0) {
      list_passing = a.substr(15);
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "promql-test: unknown flag %s\n", a.c_str());
      PrintUsage(stderr);
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    PrintUsage(stderr);
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  int stable_passed = 0, stable_total = 0;
  bool any_stable = false;
  std::vector<std::string> passing_ids;
  bool file_errors = false;
  for (const auto& path : files) {
    query::FileResult r = query::RunPromqlTestFile(path, options);
    std::string base = std::filesystem::path(path).filename().string();
    if (!r.error.empty()) {
      std::printf("%s: error: %s\n", path.c_str(), r.error.c_str());
      file_errors = true;
    }
    for (const auto& c : r.cases) {
      if (c.outcome == query::CaseOutcome::kPassed) passing_ids.push_back(base + ":" + std::to_string(c.line));
      if (c.outcome == query::CaseOutcome::kFailed && !quiet) {
        std::printf("FAIL %s:%d: %s\n    %s\n", base.c_str(), c.line, c.command.c_str(),
                    c.message.c_str());
      }
    }
    std::printf("%s: %d passed, %d failed, %d skipped\n", path.c_str(), r.passed(), r.failed(),
                r.skipped());
    passed += r.passed();
    failed += r.failed();
    skipped += r.skipped();
    if (query::IsStableFloatTestFile(base)) {
      any_stable = true;
      stable_passed += r.passed();
      stable_total += r.passed() + r.failed();
    }
  }
  if (!list_passing.empty()) {
    std::ofstream out(list_passing);
    for (const auto& id : passing_ids) out << id << "\n";
    if (!out) {
      std::fprintf(stderr, "promql-test: cannot write %s\n", list_passing.c_str());
      return 2;
    }
  }
  if (any_stable) {
    std::printf("stable float: %d/%d passed (%.1f%%)\n", stable_passed, stable_total,
                stable_total > 0 ? 100.0 * stable_passed / stable_total : 0.0);
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return (failed > 0 || file_errors) ? 1 : 0;
}

}  // namespace tidemark::app
