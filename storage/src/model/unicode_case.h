// Unicode letter tests and case mapping as Go's unicode package does them, for the relabel
// engine's lowercase/uppercase actions and Go-style template names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark {

// Go's unicode.IsLetter(r) || unicode.IsDigit(r).
bool IsLetterOrDigitRune(uint32_t r);
// Go's strings.ToLower / strings.ToUpper: simple per-rune case mapping; an invalid UTF-8 byte
// becomes U+FFFD, as Go's strings.Map makes it.
std::string ToLowerUtf8(std::string_view s);
std::string ToUpperUtf8(std::string_view s);

}  // namespace tidemark
