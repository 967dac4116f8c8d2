// Test support library: shared generators and helpers for tests and benchmarks.
#include "support/status_matchers.h"
