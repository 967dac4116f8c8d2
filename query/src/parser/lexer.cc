// Tokenizer: PEGTL matches one token at a time; this loop adds the lexer modes and the error
// messages of Prometheus' hand-written lexer (parenthesis balance, unterminated strings, ...).
#include "parser/lexer.h"
#include "tidemark/storage/model/strconv.h"

#include <cstdio>

#include "parser/grammar.h"

namespace tidemark::query::parser {
namespace {

namespace pg = tao::pegtl;
namespace g = grammar;

// Records which token rule matched; the token extent comes from the input position.
struct LexState {
  Tok type = Tok::kError;
};

template <typename Rule>
struct TokAction : pg::nothing<Rule> {};

#define TM_TOKEN_ACTION(rule, tok)                                       \
  template <>                                                            \
  struct TokAction<g::rule> {                                            \
    template <typename Input>                                            \
    static void apply(const Input& /*in*/, LexState& s) { s.type = tok; } \
  }

TM_TOKEN_ACTION(duration, Tok::kDuration);
TM_TOKEN_ACTION(number, Tok::kNumber);
TM_TOKEN_ACTION(string_lit, Tok::kString);
TM_TOKEN_ACTION(metric_ident, Tok::kIdent);
TM_TOKEN_ACTION(label_ident, Tok::kIdent);
TM_TOKEN_ACTION(word_ident, Tok::kIdent);
TM_TOKEN_ACTION(op_eqlc, Tok::kEqlc);
TM_TOKEN_ACTION(op_neq, Tok::kNeq);
TM_TOKEN_ACTION(op_lte, Tok::kLte);
TM_TOKEN_ACTION(op_gte, Tok::kGte);
TM_TOKEN_ACTION(op_lss, Tok::kLss);
TM_TOKEN_ACTION(op_trim_upper, Tok::kTrimUpper);
TM_TOKEN_ACTION(op_trim_lower, Tok::kTrimLower);
TM_TOKEN_ACTION(op_gtr, Tok::kGtr);
TM_TOKEN_ACTION(op_eql, Tok::kEql);
TM_TOKEN_ACTION(op_eql_regex, Tok::kEqlRegex);
TM_TOKEN_ACTION(op_neq_regex, Tok::kNeqRegex);
TM_TOKEN_ACTION(op_add, Tok::kAdd);
TM_TOKEN_ACTION(op_sub, Tok::kSub);
TM_TOKEN_ACTION(op_mul, Tok::kMul);
TM_TOKEN_ACTION(op_div, Tok::kDiv);
TM_TOKEN_ACTION(op_mod, Tok::kMod);
TM_TOKEN_ACTION(op_pow, Tok::kPow);
TM_TOKEN_ACTION(op_at, Tok::kAt);
TM_TOKEN_ACTION(comma, Tok::kComma);
TM_TOKEN_ACTION(colon, Tok::kColon);
TM_TOKEN_ACTION(lparen, Tok::kLParen);
TM_TOKEN_ACTION(rparen, Tok::kRParen);
TM_TOKEN_ACTION(lbrace, Tok::kLBrace);
TM_TOKEN_ACTION(rbrace, Tok::kRBrace);
TM_TOKEN_ACTION(lbracket, Tok::kLBracket);
TM_TOKEN_ACTION(rbracket, Tok::kRBracket);

#undef TM_TOKEN_ACTION

using Input = pg::memory_input<pg::tracking_mode::lazy, pg::eol::lf_crlf>;

enum class Mode : uint8_t { kExpr, kBraces, kBrackets };

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool EqualsLower(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Matches Rule at the current position; on success returns the token type.
template <typename Rule>
bool MatchToken(Input& in, Tok& type) {
  LexState st;
  if (!pg::parse<Rule, TokAction>(in, st)) return false;
  type = st.type;
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input)
      : input_(input), in_(input.data(), input.size(), "query") {}

  std::vector<Token> Run() {
    while (true) {
      if (!Step()) break;
    }
    return std::move(tokens_);
  }

 private:
  int Offset() const { return static_cast<int>(in_.current() - input_.data()); }

  void Emit(Tok type, int start) {
    Token t;
    t.type = type;
    t.pos = start;
    t.end = Offset();
    t.text = input_.substr(static_cast<size_t>(start), static_cast<size_t>(t.end - start));
    t.in_braces = mode_ == Mode::kBraces;
    tokens_.push_back(std::move(t));
  }

  // Ends lexing with an error token at `start` (Prometheus reports lexer errors at the start of
  // the item being scanned).
  bool Error(int start, std::string message) {
    Token t;
    t.type = Tok::kError;
    t.pos = start;
    t.end = static_cast<int>(input_.size());
    t.message = std::move(message);
    tokens_.push_back(std::move(t));
    return false;
  }

  void SkipSpaceAndComments(bool comments) {
    while (!in_.empty()) {
      char c = *in_.current();
      if (IsSpace(c)) {
        in_.bump(1);
      } else if (comments && c == '#') {
        pg::parse<g::comment>(in_);
      } else {
        break;
      }
    }
  }

  // Lexes one token; false once EOF or an error token was emitted.
  bool Step() {
    SkipSpaceAndComments(mode_ != Mode::kBrackets);
    int start = Offset();
    if (in_.empty()) return AtEof(start);
    switch (mode_) {
      case Mode::kExpr: return StepExpr(start);
      case Mode::kBraces: return StepBraces(start);
      case Mode::kBrackets: return StepBrackets(start);
    }
    return false;
  }

  bool AtEof(int start) {
    if (mode_ == Mode::kBraces) return Error(start, "unexpected end of input inside braces");
    if (mode_ == Mode::kBrackets && !bracket_has_token_) {
      return Error(start, "unexpected end of input in duration expression");
    }
    if (paren_depth_ != 0) return Error(start, "unclosed left parenthesis");
    if (mode_ == Mode::kBrackets) return Error(start, "unclosed left bracket");
    Emit(Tok::kEof, start);
    return false;
  }

  bool StringError(int start) {
    char q = input_[static_cast<size_t>(start)];
    if (q == '`') return Error(start, "unterminated raw string");
    // A quoted string that failed to match: the escape or end-of-line problem decides the text.
    size_t i = static_cast<size_t>(start) + 1;
    while (i < input_.size()) {
      char c = input_[i];
      if (c == '\\') {
        if (i + 1 >= input_.size()) return Error(start, "escape sequence not terminated");
        i += 2;
        continue;
      }
      if (c == '\n') break;
      ++i;
    }
    return Error(start, "unterminated quoted string");
  }

  bool NumberError(int start) {
    pg::parse<g::bad_number>(in_);
    std::string text(input_.substr(static_cast<size_t>(start),
                                   static_cast<size_t>(Offset() - start)));
    return Error(start, "bad number or duration syntax: \"" + text + "\"");
  }

  bool StepExpr(int start) {
    char c = *in_.current();
    Tok type;
    if (!MatchToken<g::expr_token>(in_, type)) {
      if (c == '"' || c == '\'' || c == '`') return StringError(start);
      if ((c >= '0' && c <= '9') ||
          (c == '.' && static_cast<size_t>(start) + 1 < input_.size() &&
           input_[static_cast<size_t>(start) + 1] >= '0' &&
           input_[static_cast<size_t>(start) + 1] <= '9')) {
        return NumberError(start);
      }
      if (c == '!') {
        return Error(start, "unexpected character after '!': " +
                                QuoteRuneAt(input_, static_cast<size_t>(start) + 1));
      }
      return Error(start, "unexpected character: " + QuoteRuneAt(input_, static_cast<size_t>(start)));
    }
    switch (type) {
      case Tok::kEql:
        if (!in_.empty() && *in_.current() == '~') {
          return Error(start, "unexpected character after '=': '~'");
        }
        break;
      case Tok::kIdent:
        // Inf and NaN (any case) are number literals, as in Prometheus' keyword table.
        if (EqualsLower(Text(start), "inf") || EqualsLower(Text(start), "nan")) {
          type = Tok::kNumber;
        }
        break;
      case Tok::kLParen: ++paren_depth_; break;
      case Tok::kRParen:
        if (--paren_depth_ < 0) return Error(start, "unexpected right parenthesis ')'");
        break;
      case Tok::kRBracket:
        if (!bracket_open_) return Error(start, "unexpected right bracket ']'");
        bracket_open_ = false;
        break;
      default: break;
    }
    Emit(type, start);
    if (type == Tok::kLBrace) mode_ = Mode::kBraces;
    if (type == Tok::kLBracket) {
      mode_ = Mode::kBrackets;
      bracket_open_ = true;
      bracket_has_token_ = false;
      got_colon_ = false;
    }
    return true;
  }

  std::string_view Text(int start) const {
    return input_.substr(static_cast<size_t>(start), static_cast<size_t>(Offset() - start));
  }

  bool StepBraces(int start) {
    char c = *in_.current();
    Tok type;
    if (!MatchToken<g::brace_token>(in_, type)) {
      if (c == '"' || c == '\'' || c == '`') return StringError(start);
      if (c == '!') {
        return Error(start, "unexpected character after '!' inside braces: " +
                                QuoteRuneAt(input_, static_cast<size_t>(start) + 1));
      }
      if (c == '{') return Error(start, "unexpected left brace '{'");
      return Error(start,
                   "unexpected character inside braces: " + QuoteRuneAt(input_, static_cast<size_t>(start)));
    }
    Emit(type, start);
    if (type == Tok::kRBrace) mode_ = Mode::kExpr;
    return true;
  }

  bool StepBrackets(int start) {
    char c = *in_.current();
    Tok type;
    if (!MatchToken<g::bracket_token>(in_, type)) {
      if ((c >= '0' && c <= '9') || c == '.') return NumberError(start);
      if (c == '[') return Error(start, "unexpected left bracket '['");
      return Error(start, "unexpected character in duration expression: " +
                              QuoteRuneAt(input_, static_cast<size_t>(start)));
    }
    switch (type) {
      case Tok::kIdent: {
        std::string_view w = Text(start);
        if (!EqualsLower(w, "step") && !EqualsLower(w, "range") && !EqualsLower(w, "min_of") &&
            !EqualsLower(w, "max_of") && !EqualsLower(w, "min") && !EqualsLower(w, "max")) {
          if (bracket_has_token_) {
            // Prometheus' lexer leaves duration mode after the first number of the bracket.
            return Error(start, "unexpected character: " +
                                    QuoteRuneAt(input_, static_cast<size_t>(start)) + ", expected ':'");
          }
          return Error(start, "unexpected character in duration expression: " +
                                  QuoteRuneAt(input_, static_cast<size_t>(start)));
        }
        break;
      }
      case Tok::kNumber:
      case Tok::kDuration: bracket_has_token_ = true; break;
      case Tok::kColon:
        if (!bracket_has_token_) {
          return Error(start, "unexpected colon before duration in duration expression");
        }
        if (got_colon_) return Error(start, "unexpected repeated colon in duration expression");
        got_colon_ = true;
        break;
      case Tok::kLParen: ++paren_depth_; break;
      case Tok::kRParen:
        if (--paren_depth_ < 0) return Error(start, "unexpected right parenthesis ')'");
        break;
      default: break;
    }
    Emit(type, start);
    if (type == Tok::kRBracket) {
      bracket_open_ = false;
      mode_ = Mode::kExpr;
    }
    return true;
  }

  std::string_view input_;
  Input in_;
  std::vector<Token> tokens_;
  Mode mode_ = Mode::kExpr;
  int paren_depth_ = 0;
  bool bracket_open_ = false;
  bool bracket_has_token_ = false;
  bool got_colon_ = false;
};

}  // namespace

std::string QuoteRuneAt(std::string_view input, size_t pos) {
  if (pos >= input.size()) return "'\\x00'";  // Go prints eof (-1) oddly; keep it simple
  uint32_t r;
  DecodeRune(input, pos, &r);
  return QuoteRune(r);
}

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace tidemark::query::parser
