// Unicode classes and case mapping from glibc's C.UTF-8 locale tables (Unicode simple case
// mapping, as Go's unicode package uses), with ASCII handled without the locale.
#include "model/unicode_case.h"

#include <locale.h>
#include <wctype.h>

#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

// Built once and never changed; a locale_t is only read by the *_l functions, so sharing it
// between threads is safe and touches no process-wide locale.
locale_t Utf8Locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

template <bool kUpper>
std::string MapCase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  locale_t loc = nullptr;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (kUpper && c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
      if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    uint32_t r;
    i += DecodeRune(s, i, &r);
    if (loc == nullptr) loc = Utf8Locale();
    if (loc != nullptr) {
      auto w = static_cast<wint_t>(r);
      r = static_cast<uint32_t>(kUpper ? towupper_l(w, loc) : towlower_l(w, loc));
    }
    AppendUtf8(out, r);
  }
  return out;
}

}  // namespace

bool IsLetterOrDigitRune(uint32_t r) {
  if (r < 0x80) {
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  }
  locale_t loc = Utf8Locale();
  return loc != nullptr && iswalnum_l(static_cast<wint_t>(r), loc) != 0;
}

std::string ToLowerUtf8(std::string_view s) { return MapCase<false>(s); }
std::string ToUpperUtf8(std::string_view s) { return MapCase<true>(s); }

}  // namespace tidemark
