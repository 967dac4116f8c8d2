// UTF-8 helpers, Go's Quote/QuoteRune/Unquote, label value escaping and URL escaping.
#include <cstdio>

#include "model/strconv_isprint.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark {
namespace {

constexpr uint32_t kRuneError = 0xfffd;

void AppendHexEscape(std::string& out, const char* fmt, uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, fmt, v);
  out += buf;
}

// Go's appendQuotedWith: one rune or invalid byte at a time, `quote` escaped.
void AppendQuotedWith(std::string& out, std::string_view s, char quote) {
  out += quote;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    if (r == kRuneError && n == 1 && c >= 0x80) {
      AppendHexEscape(out, "\\x%02x", c);  // an invalid byte, not a real U+FFFD
      ++i;
      continue;
    }
    if (r == static_cast<unsigned char>(quote) || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r < 0x80) {
      switch (r) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (r < 0x20 || r == 0x7f) {
            AppendHexEscape(out, "\\x%02x", r);
          } else {
            out += static_cast<char>(r);
          }
      }
    } else if (!IsPrintRune(r)) {
      AppendHexEscape(out, r < 0x10000 ? "\\u%04x" : "\\U%08x", r);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out += quote;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
uint32_t HexVal(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  return static_cast<uint32_t>(c - 'A' + 10);
}

// Go's %#U of a byte: "U+0063 'c'".
std::string RuneDesc(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", c);
  if (c >= 0x20 && c < 0x7f) return std::string(buf) + " '" + static_cast<char>(c) + "'";
  return buf;
}

}  // namespace

void AppendUtf8(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xc0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xe0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  }
}

size_t DecodeRune(std::string_view s, size_t i, uint32_t* r) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *r = c;
    return 1;
  }
  size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  uint32_t v = n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
  bool valid = n != 0 && i + n <= s.size();
  for (size_t k = 1; valid && k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) valid = false;
    v = (v << 6) | (cc & 0x3fu);
  }
  // Overlong forms, surrogates and out-of-range code points are invalid.
  if (!valid || (n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
      (v >= 0xd800 && v < 0xe000) || v > 0x10ffff) {
    *r = kRuneError;
    return 1;
  }
  *r = v;
  return n;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    if (r == kRuneError && n == 1) return false;  // a literal U+FFFD is 3 bytes long
    i += n;
  }
  return true;
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendQuotedWith(out, s, '"');
  return out;
}

void AppendQuote(std::string& out, std::string_view s) { AppendQuotedWith(out, s, '"'); }

std::string QuoteRune(uint32_t r) {
  if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) r = kRuneError;
  std::string utf8;
  AppendUtf8(utf8, r);
  std::string out;
  AppendQuotedWith(out, utf8, '\'');
  return out;
}

Result<std::string> Unquote(std::string_view tok) {
  if (tok.size() < 2) return Status::InvalidArgument("invalid string literal");
  char q = tok.front();
  std::string_view body = tok.substr(1, tok.size() - 2);
  if (!ValidUtf8(body)) return Status::InvalidArgument("invalid UTF-8 rune");
  if (q == '`') return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return Status::InvalidArgument("escape sequence not terminated");
    char e = body[i];
    switch (e) {
      case 'a': out += '\a'; continue;
      case 'b': out += '\b'; continue;
      case 'f': out += '\f'; continue;
      case 'n': out += '\n'; continue;
      case 'r': out += '\r'; continue;
      case 't': out += '\t'; continue;
      case 'v': out += '\v'; continue;
      case '\\': out += '\\'; continue;
      default: break;
    }
    if (e == q) {
      out += e;
      continue;
    }
    int n = 0;
    uint32_t base = 0, max = 0;
    if (e >= '0' && e <= '7') {
      n = 3, base = 8, max = 255;
      --i;  // the first digit is part of the value
    } else if (e == 'x') {
      n = 2, base = 16, max = 255;
    } else if (e == 'u') {
      n = 4, base = 16, max = 0x10ffff;
    } else if (e == 'U') {
      n = 8, base = 16, max = 0x10ffff;
    } else {
      return Status::InvalidArgument("unknown escape sequence " + RuneDesc(body, i));
    }
    uint32_t x = 0;
    for (int k = 0; k < n; ++k) {
      if (++i >= body.size()) return Status::InvalidArgument("escape sequence not terminated");
      char d = body[i];
      uint32_t v = IsHex(d) ? HexVal(d) : 16;
      if (v >= base) {
        return Status::InvalidArgument("illegal character " + RuneDesc(body, i) +
                                       " in escape sequence");
      }
      x = x * base + v;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000 && base == 16 && n >= 4)) {
      return Status::InvalidArgument("escape sequence is an invalid Unicode code point");
    }
    if (n >= 4) {
      AppendUtf8(out, x);
    } else {
      out += static_cast<char>(x);  // \x and octal escapes are raw bytes
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string UrlEscape(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tidemark
