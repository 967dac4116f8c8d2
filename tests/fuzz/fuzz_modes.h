// Shared by the libFuzzer targets that test several decoders: the invariant check and the switch
// on the first input byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

namespace tidemark::fuzz {

// A broken invariant aborts, so libFuzzer reports it and keeps the input.
inline void Check(bool ok) {
  if (!ok) abort();
}

using Mode = void (*)(std::string_view rest);

// Runs modes[first byte % count] on the rest of the input.
inline int RunMode(const uint8_t* data, size_t size, std::initializer_list<Mode> modes) {
  if (size == 0) return 0;
  modes.begin()[data[0] % modes.size()](std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}

}  // namespace tidemark::fuzz
