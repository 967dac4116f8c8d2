// Go- and Prometheus-compatible text conversions, written once for every module: strconv's
// Quote/Unquote/FormatFloat/ParseFloat, Prometheus durations, RFC 3339 times and URL escaping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/status.h"

namespace tidemark {

// ---- UTF-8 ----

// Appends the UTF-8 encoding of code point r (r must be <= 0x10FFFF).
void AppendUtf8(std::string& out, uint32_t r);
// Decodes the UTF-8 sequence at s[i] into *r and returns its length; an invalid or truncated
// sequence, an overlong form or a surrogate yields U+FFFD and length 1 (Go's utf8.DecodeRune).
size_t DecodeRune(std::string_view s, size_t i, uint32_t* r);
// True when s is entirely valid UTF-8 (Go's utf8.ValidString).
bool ValidUtf8(std::string_view s);

// ---- quoting ----

// Go's strconv.Quote: printable runes kept (Go's unicode.IsPrint, Unicode 15.0.0 as in Go 1.21+:
// letters, marks, numbers, punctuation, symbols, ASCII space), \a \b \f \n \r \t \v \\ \" escaped,
// other ASCII controls and invalid bytes as \xNN, every other rune as \uNNNN or \UNNNNNNNN (e.g.
// U+00A0, U+200B, unassigned and private-use code points). This is how Prometheus prints strings,
// label values and PromQL string literals.
std::string Quote(std::string_view s);
void AppendQuote(std::string& out, std::string_view s);
// Go's strconv.QuoteRune (and %q of a rune): 'a', '\n', '\x00', '☺'.
std::string QuoteRune(uint32_t r);
// Go's strconv.Unquote of a "...", '...' or `...` literal. Errors are InvalidArgument worded as
// the PromQL lexer words them ("unknown escape sequence U+0063 'c'", "invalid UTF-8 rune", ...).
Result<std::string> Unquote(std::string_view quoted);

// The Prometheus text exposition's label value escaping: only \\, \" and \n are escaped, every
// other byte is kept.
std::string EscapeLabelValue(std::string_view v);

// ---- floats ----

// Go's strconv.FormatFloat(v, fmt, prec, 64) for fmt 'e', 'E', 'f', 'g', 'G'; prec -1 means the
// fewest digits that parse back to v. Infinities and NaN are spelled "+Inf", "-Inf", "NaN".
std::string FormatFloat(double v, char fmt, int prec);
void AppendFloat(std::string& out, double v, char fmt, int prec);
// A JSON number as Go's encoding/json writes a float64 (and so Prometheus' API): shortest digits,
// 'f' form for 1e-6 <= |v| < 1e21 (0.00001, 100000000000000000000), 'e' form otherwise with a
// one-digit negative exponent unpadded (1e-7, 1e+21). JSON has no NaN or infinities, where Go's
// encoder fails; these print as null.
std::string FormatJsonFloat(double v);
void AppendJsonFloat(std::string& out, double v);
// Go's strconv.ParseFloat(s, 64): decimal and hex ("0x1p-2") literals, underscores between
// digits, "Inf"/"+Infinity"/"NaN" in any case. Out of range is an error (Go returns ±Inf with
// ErrRange); errors read `strconv.ParseFloat: parsing "x": invalid syntax` like Go's NumError.
Result<double> ParseFloat(std::string_view s);

// ---- integers ----

// Go's strconv.ParseInt(s, base, 64) for base 0 or 2..36. Base 0 reads the prefixes 0b, 0o, 0x
// and a leading 0 as octal, and allows '_' between digits. Errors read like Go's NumError:
// `strconv.ParseInt: parsing "x": invalid syntax` or `...: value out of range`.
Result<int64_t> ParseInt(std::string_view s, int base);

// ---- durations and times ----

// Prometheus' model.ParseDuration: units y w d h m s ms, each an unsigned integer, largest first,
// each at most once; "0" alone is allowed; the total must fit a Go time.Duration. Milliseconds.
Result<int64_t> ParseDuration(std::string_view s);
// Prometheus' model.Duration.String(): "1h30m", "0s"; years and weeks only when they divide.
std::string FormatDuration(int64_t ms);

enum class Rfc3339Fraction {
  kTrimmed,  // Go's time.RFC3339Nano: ".5", ".25", nothing for whole seconds (Prometheus' JSON)
  kMillis,   // always three digits, ".000" (Alertmanager's API, log lines)
};
// UTC RFC 3339 text of a millisecond timestamp, e.g. "2024-01-02T03:04:05.123Z".
std::string FormatRfc3339(Timestamp ms, Rfc3339Fraction fraction = Rfc3339Fraction::kTrimmed);
// FormatRfc3339, except that 0 (an unset time) prints as Go's zero time.Time,
// "0001-01-01T00:00:00Z", the way Prometheus and Alertmanager print unset times.
std::string FormatGoTime(Timestamp ms, Rfc3339Fraction fraction);

// ---- URLs ----

// Percent-encodes all but ALPHA DIGIT - _ . ~ (uppercase hex). With space_as_plus a space becomes
// '+', which is Go's url.QueryEscape; without, "%20".
std::string UrlEscape(std::string_view s, bool space_as_plus);

}  // namespace tidemark
