// Splits a PromQL query into tokens (PEGTL token rules + Prometheus' lexer modes and errors).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::query::parser {

enum class Tok : uint8_t {
  kEof, kError, kIdent, kNumber, kDuration, kString,
  kLParen, kRParen, kLBrace, kRBrace, kLBracket, kRBracket, kComma, kColon, kAt,
  kAdd, kSub, kMul, kDiv, kMod, kPow,
  kEqlc, kNeq, kLss, kLte, kGtr, kGte, kEql, kEqlRegex, kNeqRegex, kTrimUpper, kTrimLower,
};

struct Token {
  Tok type = Tok::kEof;
  int pos = 0;           // byte offset of the first character
  int end = 0;           // one past the last byte
  std::string_view text; // the token's source text (for kError: empty; see message)
  std::string message;   // kError only: the lexer's complaint, Prometheus wording
  bool in_braces = false;  // identifiers lexed inside {...} are never keywords
};

// Tokenizes the whole input. The token list always ends with kEof or (at the first lexical
// error) with a kError token, as Prometheus' lexer stops at its first error.
std::vector<Token> Lex(std::string_view input);

// Go-style %q of a single character for messages: 'x', '\n', '\'' ...
std::string QuoteRuneAt(std::string_view input, size_t pos);

}  // namespace tidemark::query::parser
