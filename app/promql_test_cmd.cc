// Placeholder until this subcommand is implemented.
#include <cstdio>

#include "commands.h"

namespace tidemark::app {

int PromqlTestMain(int, char**) {
  std::fprintf(stderr, "tidemark: this command is not implemented yet\n");
  return 2;
}

}  // namespace tidemark::app
