// libFuzzer target: the email integration's text handling, which sees alert data (label values
// come from any remote-write sender) through the from/to/header templates. The first input byte
// picks the mode:
//   0: ParseAddressList: every address has a local part and a domain and no byte that could end
//      or split an SMTP command or a header (controls, spaces, quotes, angle brackets, commas);
//   1: QEncodeHeader: the result is one header line of printable ASCII, and unchanged text is
//      returned as is;
//   2: QuotedPrintable: lines of at most 76 characters, CR only in CRLF, printable ASCII, and
//      decoding gives the text back (its CRLFs as LFs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_modes.h"
#include "notify/email.h"

namespace {

using namespace tidemark::alerting;

using tidemark::fuzz::Check;

bool Printable(unsigned char c) { return c >= ' ' && c <= '~'; }

void FuzzAddresses(std::string_view input) {
  auto list = ParseAddressList(std::string(input));
  if (!list.ok()) return;
  Check(!list->empty());
  for (const auto& a : *list) {
    const size_t at = a.find('@');
    Check(at != std::string::npos && at > 0 && at + 1 < a.size());
    for (unsigned char c : a) {
      Check(c >= 0x21 && c != 0x7f && c != '"' && c != '<' && c != '>' && c != ',');
    }
  }
}

void FuzzHeader(std::string_view input) {
  const std::string out = QEncodeHeader(std::string(input));
  bool plain = true;
  for (unsigned char c : input) plain &= Printable(c) || c == '\t';
  if (plain) {
    Check(out == input);
    return;
  }
  for (unsigned char c : out) Check(Printable(c));
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void FuzzQuotedPrintable(std::string_view input) {
  const std::string out = QuotedPrintable(std::string(input));
  std::string decoded;
  size_t line_start = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (c == '\r') {
      Check(i + 1 < out.size() && out[i + 1] == '\n');
      Check(i - line_start <= 76);
      line_start = i + 2;
      decoded += '\n';
      ++i;
      continue;
    }
    Check(Printable(static_cast<unsigned char>(c)) || c == '\t');
    if (c == '=') {
      if (i + 2 < out.size() && out[i + 1] == '\r' && out[i + 2] == '\n') {  // soft break
        Check(i + 1 - line_start <= 76);
        line_start = i + 3;
        i += 2;
        continue;
      }
      Check(i + 2 < out.size());
      const int hi = Hex(out[i + 1]), lo = Hex(out[i + 2]);
      Check(hi >= 0 && lo >= 0);
      decoded += static_cast<char>(hi * 16 + lo);
      i += 2;
      continue;
    }
    decoded += c;
  }
  Check(out.size() - line_start <= 76);
  std::string want;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n') continue;
    want += input[i];
  }
  Check(decoded == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tidemark::fuzz::RunMode(data, size, {FuzzAddresses, FuzzHeader, FuzzQuotedPrintable});
}
