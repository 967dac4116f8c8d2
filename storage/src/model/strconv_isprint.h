// Go's strconv.IsPrint for Quote: which runes are printed as themselves rather than escaped.
#pragma once

#include <cstdint>

namespace tidemark {

// True for letters, marks, numbers, punctuation, symbols and the ASCII space (Unicode 15.0.0,
// Go 1.21+), which is what Go's unicode.IsPrint and strconv.IsPrint report.
bool IsPrintRune(uint32_t r);

}  // namespace tidemark
