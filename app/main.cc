// tidemark: the single binary. Subcommands are wired here from module libraries.
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::printf("usage: tidemark <command> [flags]\n\ncommands:\n  serve\n  promql-test FILE...\n  check rules FILE...\n");
    return argc < 2 ? 2 : 0;
  }
  std::fprintf(stderr, "tidemark: unknown command \"%s\"\n", argv[1]);
  return 2;
}
