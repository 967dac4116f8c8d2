// PEGTL token grammar of PromQL: one rule per token class, used by the lexer one token at a time.
#pragma once

#include <tao/pegtl.hpp>

namespace tidemark::query::grammar {

// PEGTL rule types are the one sanctioned exception to CamelCase type names (style.md).
namespace pg = tao::pegtl;

// --- Whitespace and comments -------------------------------------------------------------
struct space_char : pg::one<' ', '\t', '\n', '\r'> {};
struct comment : pg::seq<pg::one<'#'>, pg::star<pg::not_one<'\n', '\r'>>> {};
struct skip : pg::sor<pg::plus<space_char>, comment> {};

// --- Identifiers ------------------------------------------------------------------------
struct alpha_char : pg::ranges<'a', 'z', 'A', 'Z', '_'> {};
struct alnum_char : pg::ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
// Outside braces a metric name may contain colons (recording-rule names like a:b:rate5m).
struct metric_ident
    : pg::seq<pg::sor<alpha_char, pg::one<':'>>, pg::star<pg::sor<alnum_char, pg::one<':'>>>> {};
// Inside braces: label names, no colons.
struct label_ident : pg::seq<alpha_char, pg::star<alnum_char>> {};
// Inside brackets only keywords made of letters and '_' exist (step, range, min_of, max_of).
struct word_ident : pg::plus<alpha_char> {};

// --- Numbers and durations --------------------------------------------------------------
// Digit runs may contain single underscores between digits, as Go number literals do.
struct dec_digits : pg::seq<pg::digit, pg::star<pg::opt<pg::one<'_'>>, pg::digit>> {};
struct hex_digits : pg::seq<pg::xdigit, pg::star<pg::opt<pg::one<'_'>>, pg::xdigit>> {};
struct hex_number : pg::seq<pg::one<'0'>, pg::one<'x', 'X'>, pg::opt<pg::one<'_'>>, hex_digits> {};
struct exponent : pg::seq<pg::one<'e', 'E'>, pg::opt<pg::one<'+', '-'>>, dec_digits> {};
struct mantissa : pg::sor<pg::seq<dec_digits, pg::opt<pg::one<'.'>, pg::opt<dec_digits>>>,
                          pg::seq<pg::one<'.'>, dec_digits>> {};
struct dec_number : pg::seq<mantissa, pg::opt<exponent>> {};
// A number must not run into letters or digits (`5mm`, `0deadbeef` are errors, not two tokens).
struct number
    : pg::seq<pg::sor<hex_number, dec_number>, pg::not_at<pg::sor<alnum_char, pg::one<'.'>>>> {};
// Units are validated later by ParseDuration; the lexer only finds the token's extent.
struct first_unit : pg::seq<pg::one<'s', 'm', 'h', 'd', 'w', 'y'>, pg::opt<pg::one<'s'>>> {};
struct next_unit : pg::seq<pg::one<'s', 'm', 'h', 'd', 'w'>, pg::opt<pg::one<'s'>>> {};
struct duration : pg::seq<pg::digit, pg::star<pg::sor<pg::digit, pg::one<'.'>>>, first_unit,
                          pg::star<pg::plus<pg::digit>, next_unit>, pg::not_at<alnum_char>> {};
// Whatever alphanumeric run a bad number spans, for the error message.
struct bad_number : pg::seq<pg::opt<pg::one<'.'>>, pg::plus<pg::sor<alnum_char, pg::one<'.'>>>> {};

// --- Strings ----------------------------------------------------------------------------
// Escapes are only delimited here; their meaning is checked when unquoting.
template <char Q>
struct quoted_string
    : pg::seq<pg::one<Q>,
              pg::star<pg::sor<pg::seq<pg::one<'\\'>, pg::not_one<'\n'>>, pg::not_one<Q, '\\', '\n'>>>,
              pg::one<Q>> {};
struct dq_string : quoted_string<'"'> {};
struct sq_string : quoted_string<'\''> {};
struct raw_string : pg::seq<pg::one<'`'>, pg::star<pg::not_one<'`'>>, pg::one<'`'>> {};
struct string_lit : pg::sor<dq_string, sq_string, raw_string> {};

// --- Operators and punctuation ----------------------------------------------------------
struct op_eqlc : pg::string<'=', '='> {};
struct op_neq : pg::string<'!', '='> {};
struct op_lte : pg::string<'<', '='> {};
struct op_gte : pg::string<'>', '='> {};
struct op_eql_regex : pg::string<'=', '~'> {};
struct op_neq_regex : pg::string<'!', '~'> {};
struct op_trim_upper : pg::string<'<', '/'> {};
struct op_trim_lower : pg::string<'>', '/'> {};
struct op_lss : pg::one<'<'> {};
struct op_gtr : pg::one<'>'> {};
struct op_eql : pg::one<'='> {};
struct op_add : pg::one<'+'> {};
struct op_sub : pg::one<'-'> {};
struct op_mul : pg::one<'*'> {};
struct op_div : pg::one<'/'> {};
struct op_mod : pg::one<'%'> {};
struct op_pow : pg::one<'^'> {};
struct op_at : pg::one<'@'> {};
struct comma : pg::one<','> {};
struct colon : pg::one<':'> {};
struct lparen : pg::one<'('> {};
struct rparen : pg::one<')'> {};
struct lbrace : pg::one<'{'> {};
struct rbrace : pg::one<'}'> {};
struct lbracket : pg::one<'['> {};
struct rbracket : pg::one<']'> {};

// --- One token per mode -----------------------------------------------------------------
// Expression context. `=~`/`!~` are not tokens here (the lexer reports them as errors).
struct expr_token
    : pg::sor<duration, number, string_lit, metric_ident, op_eqlc, op_neq, op_lte, op_gte,
              op_trim_upper, op_trim_lower, op_lss,
              op_gtr, op_eql, op_add, op_sub, op_mul, op_div, op_mod, op_pow, op_at, comma, lparen,
              rparen, lbrace, lbracket, rbracket> {};
// Inside `{...}` of a selector.
struct brace_token : pg::sor<label_ident, string_lit, op_eql_regex, op_neq_regex, op_neq, op_eql,
                             comma, rbrace> {};
// Inside `[...]` of a range or subquery (duration expressions).
struct bracket_token
    : pg::sor<duration, number, word_ident, colon, lparen, rparen, op_add, op_sub, op_mul, op_div,
              op_mod, op_pow, comma, rbracket> {};

// Grammars for the analyzer test: every token rule consumes input, so these repetitions cannot
// loop forever.
struct expr_tokens : pg::star<pg::sor<skip, expr_token>> {};
struct brace_tokens : pg::star<pg::sor<skip, brace_token>> {};
struct bracket_tokens : pg::star<pg::sor<skip, bracket_token>> {};

}  // namespace tidemark::query::grammar
