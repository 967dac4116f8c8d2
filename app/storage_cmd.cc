// `tidemark storage verify|repair --data-dir DIR`: check or repair a damaged data directory
// while the server is stopped (docs/operations.md, "Damaged data directory").
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "commands.h"
#include "tidemark/storage/storage.h"

namespace tidemark::app {
namespace {

constexpr const char* kUsage =
    "usage: tidemark storage verify --data-dir DIR   read every table file through its checksums\n"
    "       tidemark storage repair --data-dir DIR   rebuild the MANIFEST from the files found;\n"
    "                                                unreadable files are moved to DIR/lost/\n"
    "(--storage.tsdb.path is accepted for --data-dir; stop the server first)\n";

// The data directory from the flags after the subcommand; empty on a usage error.
std::string DataDir(int argc, char** argv) {
  std::string dir;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    bool known = false;
    for (std::string_view flag : {"--data-dir", "--storage.tsdb.path"}) {
      if (a == flag && i + 1 < argc) {
        dir = argv[++i];
        known = true;
      } else if (a.size() > flag.size() && a.substr(0, flag.size()) == flag &&
                 a[flag.size()] == '=') {
        dir = std::string(a.substr(flag.size() + 1));
        known = true;
      }
    }
    if (!known) return "";
  }
  return dir;
}

}  // namespace

int StorageMain(int argc, char** argv) {
  const std::string_view sub = argc >= 2 ? argv[1] : "";
  const std::string dir = DataDir(argc, argv);
  if ((sub != "verify" && sub != "repair") || dir.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  StorageOptions o;
  o.dir = dir;
  if (sub == "verify") {
    Status s = VerifyStorage(o);
    if (!s.ok()) {
      std::fprintf(stderr, "tidemark storage verify: %s\n", s.message().c_str());
      return 1;
    }
    std::printf("%s: every table file passed its checksums\n", dir.c_str());
    return 0;
  }
  auto moved = RepairStorage(o);
  if (!moved.ok()) {
    std::fprintf(stderr, "tidemark storage repair: %s\n", moved.status().message().c_str());
    return 1;
  }
  // RepairDB moves a table file there only when it cannot read it; the old MANIFEST and the
  // write-ahead logs (replayed into new tables first) always go there.
  for (const auto& f : *moved) {
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".sst") == 0) {
      std::printf("unreadable table file moved to %s: its data is lost\n", f.c_str());
    } else {
      std::printf("replaced file kept as %s\n", f.c_str());
    }
  }
  std::printf("%s: repaired; start the server to replay the head log\n", dir.c_str());
  return 0;
}

}  // namespace tidemark::app
