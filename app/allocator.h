// Process-wide allocator settings the binary applies once at start-up, before any thread runs.
#pragma once

namespace tidemark::app {

// Keeps freed memory in the heap for reuse instead of unmapping it after every query (see the
// definition for why); environment variables MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_
// take precedence.
void TuneAllocator();

}  // namespace tidemark::app
