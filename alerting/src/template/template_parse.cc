// Lexer and parser of the Go-template subset into TemplateNode trees.
#include <cctype>
#include <stdexcept>

#include "template/template_ast.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

// Parse failures travel as this exception inside the parser only; Parse() converts it.
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Tok : uint8_t {
  kIdent, kField, kVar, kString, kNumber, kLParen, kRParen, kPipe, kDeclare, kAssign, kComma,
  kDot, kEnd
};

struct Token {
  Tok type = Tok::kEnd;
  std::string text;
  bool chained = false;  // a field directly attached to the previous term (no space)
};

// One `{{…}}` or a run of text.
struct Item {
  bool is_action = false;
  std::string text;           // text items
  std::vector<Token> tokens;  // action items
  std::string source;         // action source for messages
  int line = 1;
};

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& name) : in_(text), name_(name) {}

  std::vector<Item> Run() {
    std::vector<Item> items;
    size_t i = 0;
    bool trim_next = false;
    while (i <= in_.size()) {
      size_t open = in_.find("{{", i);
      std::string text(in_.substr(i, open == std::string_view::npos ? std::string_view::npos
                                                                     : open - i));
      if (trim_next) text.erase(0, text.find_first_not_of(" \t\r\n") == std::string::npos
                                       ? text.size()
                                       : text.find_first_not_of(" \t\r\n"));
      if (open == std::string_view::npos) {
        if (!text.empty()) items.push_back(Item{false, text, {}, "", 0});
        break;
      }
      size_t p = open + 2;
      if (p + 1 < in_.size() && in_[p] == '-' && std::isspace(static_cast<unsigned char>(in_[p + 1]))) {
        size_t e = text.find_last_not_of(" \t\r\n");
        text.erase(e == std::string::npos ? 0 : e + 1);
        p += 2;
      }
      if (!text.empty()) items.push_back(Item{false, text, {}, "", 0});
      Item act;
      act.is_action = true;
      act.line = LineAt(open);
      size_t end = LexAction(p, &act);
      act.source = std::string(in_.substr(open, end - open));
      trim_next = end >= 5 && in_.substr(end - 4, 2) == " -";
      if (end >= 4 && in_[end - 3] == '-' && std::isspace(static_cast<unsigned char>(in_[end - 4]))) {
        trim_next = true;
      }
      if (!act.tokens.empty()) items.push_back(std::move(act));
      i = end;
      if (i == in_.size()) break;
    }
    return items;
  }

 private:
  int LineAt(size_t pos) const {
    int line = 1;
    for (size_t k = 0; k < pos && k < in_.size(); ++k) line += in_[k] == '\n';
    return line;
  }
  [[noreturn]] void Fail(size_t pos, const std::string& msg) const {
    throw ParseError("template: " + name_ + ":" + std::to_string(LineAt(pos)) + ": " + msg);
  }

  // Lexes from p to the closing braces; returns the index just past them.
  size_t LexAction(size_t p, Item* act) {
    auto at_close = [&](size_t k) {
      if (in_.substr(k, 2) == "}}") return k + 2;
      if (k + 3 < in_.size() + 1 && std::isspace(static_cast<unsigned char>(in_[k])) &&
          in_.substr(k + 1, 3) == "-}}") {
        return k + 4;
      }
      return size_t{0};
    };
    // Comments.
    size_t q = p;
    while (q < in_.size() && std::isspace(static_cast<unsigned char>(in_[q]))) ++q;
    if (in_.substr(q, 2) == "/*") {
      size_t e = in_.find("*/", q + 2);
      if (e == std::string_view::npos) Fail(p, "unclosed comment");
      e += 2;
      while (e < in_.size() && std::isspace(static_cast<unsigned char>(in_[e])) &&
             at_close(e) == 0) {
        ++e;
      }
      size_t c = at_close(e);
      if (c == 0) Fail(p, "comment ends before closing delimiter");
      return c;
    }
    bool space_before = true;
    while (true) {
      if (p >= in_.size()) Fail(p, "unclosed action");
      if (size_t c = at_close(p)) return c;
      char ch = in_[p];
      if (std::isspace(static_cast<unsigned char>(ch))) {
        space_before = true;
        ++p;
        continue;
      }
      Token t;
      size_t start = p;
      if (ch == '"') {
        // Go's lexQuote finds the end (a backslash takes the next character along), then the
        // parser unquotes with strconv.Unquote and reports any failure as "invalid syntax".
        for (++p; p < in_.size() && in_[p] != '"'; ++p) {
          if (in_[p] == '\\') ++p;  // the escaped character, whatever it is
          if (p >= in_.size() || in_[p] == '\n') Fail(p, "unterminated quoted string");
        }
        if (p >= in_.size()) Fail(start, "unterminated quoted string");
        ++p;
        auto s = Unquote(in_.substr(start, p - start));
        if (!s.ok()) Fail(start, "invalid syntax");
        t = {Tok::kString, std::move(*s)};
      } else if (ch == '`') {
        size_t e = in_.find('`', p + 1);
        if (e == std::string_view::npos) Fail(p, "unterminated raw quoted string");
        t = {Tok::kString, std::string(in_.substr(p + 1, e - p - 1))};
        p = e + 1;
      } else if (ch == '$') {
        ++p;
        while (p < in_.size() && IsIdentChar(in_[p])) ++p;
        t = {Tok::kVar, std::string(in_.substr(start, p - start))};
      } else if (ch == '.' && (p + 1 >= in_.size() || !IsIdentChar(in_[p + 1]) ||
                               std::isdigit(static_cast<unsigned char>(in_[p + 1])))) {
        if (p + 1 < in_.size() && std::isdigit(static_cast<unsigned char>(in_[p + 1]))) {
          p = LexNumber(p, &t);
        } else {
          ++p;
          t = {Tok::kDot, "."};
        }
      } else if (ch == '.') {
        ++p;
        while (p < in_.size() && IsIdentChar(in_[p])) ++p;
        t = {Tok::kField, std::string(in_.substr(start + 1, p - start - 1))};
        t.chained = !space_before && !act->tokens.empty() &&
                    (act->tokens.back().type == Tok::kVar || act->tokens.back().type == Tok::kField ||
                     act->tokens.back().type == Tok::kRParen || act->tokens.back().type == Tok::kDot);
      } else if (std::isdigit(static_cast<unsigned char>(ch)) ||
                 ((ch == '-' || ch == '+') && p + 1 < in_.size() &&
                  (std::isdigit(static_cast<unsigned char>(in_[p + 1])) || in_[p + 1] == '.'))) {
        p = LexNumber(p, &t);
      } else if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
        while (p < in_.size() && IsIdentChar(in_[p])) ++p;
        t = {Tok::kIdent, std::string(in_.substr(start, p - start))};
      } else if (ch == '(') {
        ++p;
        t = {Tok::kLParen, "("};
      } else if (ch == ')') {
        ++p;
        t = {Tok::kRParen, ")"};
      } else if (ch == '|') {
        ++p;
        t = {Tok::kPipe, "|"};
      } else if (ch == ',') {
        ++p;
        t = {Tok::kComma, ","};
      } else if (ch == ':' && p + 1 < in_.size() && in_[p + 1] == '=') {
        p += 2;
        t = {Tok::kDeclare, ":="};
      } else if (ch == '=') {
        ++p;
        t = {Tok::kAssign, "="};
      } else {
        Fail(p, std::string("unexpected \"") + ch + "\" in command");
      }
      act->tokens.push_back(std::move(t));
      space_before = false;
    }
  }

  size_t LexNumber(size_t p, Token* t) {
    size_t start = p;
    if (in_[p] == '+' || in_[p] == '-') ++p;
    while (p < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[p])) || in_[p] == '.' ||
                              ((in_[p] == '+' || in_[p] == '-') &&
                               (in_[p - 1] == 'e' || in_[p - 1] == 'E')))) {
      ++p;
    }
    *t = {Tok::kNumber, std::string(in_.substr(start, p - start))};
    return p;
  }

  std::string_view in_;
  const std::string& name_;
};

class Parser {
 public:
  Parser(std::vector<Item> items, const std::string& name) : items_(std::move(items)), name_(name) {}

  std::unique_ptr<TemplateNode> ParseAll() {
    std::string stop;
    auto root = ParseList(&stop);
    if (!stop.empty()) Fail(line_, "unexpected {{" + stop + "}}");
    return root;
  }
  // The {{define}}d (and {{block}}) templates found by ParseAll.
  TemplateDefs& defs() { return defs_; }

 private:
  [[noreturn]] void Fail(int line, const std::string& msg) const {
    throw ParseError("template: " + name_ + ":" + std::to_string(line) + ": " + msg);
  }

  // Parses items until {{end}} or {{else…}}; `stop` receives "end"/"else"/"" (EOF).
  std::unique_ptr<TemplateNode> ParseList(std::string* stop) {
    auto list = std::make_unique<TemplateNode>();
    list->kind = TemplateNode::Kind::kList;
    while (pos_ < items_.size()) {
      Item& it = items_[pos_++];
      line_ = it.line;
      if (!it.is_action) {
        auto n = std::make_unique<TemplateNode>();
        n->kind = TemplateNode::Kind::kText;
        n->text = it.text;
        list->list.push_back(std::move(n));
        continue;
      }
      toks_ = &it.tokens;
      tp_ = 0;
      source_ = it.source;
      const Token& first = it.tokens[0];
      if (first.type == Tok::kIdent) {
        const std::string& kw = first.text;
        if (kw == "end" || kw == "else") {
          *stop = kw;
          if (kw == "end" && it.tokens.size() > 1) Fail(it.line, "unexpected tokens in end");
          return list;
        }
        if (kw == "if" || kw == "with" || kw == "range") {
          ++tp_;
          list->list.push_back(ParseControl(kw, it.line));
          continue;
        }
        if (kw == "break" || kw == "continue") {
          auto n = std::make_unique<TemplateNode>();
          n->kind = kw == "break" ? TemplateNode::Kind::kBreak : TemplateNode::Kind::kContinue;
          list->list.push_back(std::move(n));
          continue;
        }
        if (kw == "define" || kw == "template" || kw == "block") {
          if (it.tokens.size() < 2 || it.tokens[1].type != Tok::kString) {
            Fail(it.line, "unexpected \"" + (it.tokens.size() < 2 ? std::string("}}") : it.tokens[1].text) +
                              "\" in " + kw + " clause");
          }
          const std::string define_name = it.tokens[1].text;
          if (kw == "define") {
            // Go allows define only at the top level of a template text.
            if (depth_ > 0) Fail(it.line, "unexpected <define> in command");
            if (it.tokens.size() > 2) Fail(it.line, "unexpected \"" + it.tokens[2].text + "\" in define clause");
            defs_[define_name] = ParseBody(kw, it.line);
            continue;
          }
          auto n = std::make_unique<TemplateNode>();
          n->kind = TemplateNode::Kind::kTemplate;
          n->text = define_name;
          tp_ = 2;
          if (tp_ < toks_->size()) {
            n->pipe = ParsePipeline(it.line, /*allow_decl=*/false);
            if (tp_ != toks_->size()) Fail(it.line, "unexpected \"" + (*toks_)[tp_].text + "\" in " + kw);
          } else if (kw == "block") {
            Fail(it.line, "missing value for block");
          }
          if (kw == "block") defs_[define_name] = ParseBody(kw, it.line);
          list->list.push_back(std::move(n));
          continue;
        }
      }
      auto n = std::make_unique<TemplateNode>();
      n->kind = TemplateNode::Kind::kAction;
      n->pipe = ParsePipeline(it.line, /*allow_decl=*/true);
      if (tp_ != toks_->size()) Fail(it.line, "unexpected \"" + (*toks_)[tp_].text + "\" in operand");
      list->list.push_back(std::move(n));
    }
    stop->clear();
    return list;
  }

  // The body of a define/block, up to its {{end}}.
  std::shared_ptr<const TemplateNode> ParseBody(const std::string& kw, int line) {
    std::string stop;
    ++depth_;
    std::shared_ptr<const TemplateNode> body = ParseList(&stop);
    --depth_;
    if (stop != "end") Fail(line, stop.empty() ? "unexpected EOF" : "unexpected {{else}} in " + kw);
    return body;
  }

  std::unique_ptr<TemplateNode> ParseControl(const std::string& kw, int line) {
    auto n = std::make_unique<TemplateNode>();
    n->kind = kw == "if" ? TemplateNode::Kind::kIf
              : kw == "with" ? TemplateNode::Kind::kWith : TemplateNode::Kind::kRange;
    if (tp_ >= toks_->size()) Fail(line, "missing value for " + kw);
    n->pipe = ParsePipeline(line, true);
    if (tp_ != toks_->size()) Fail(line, "unexpected \"" + (*toks_)[tp_].text + "\" in " + kw);
    std::string stop;
    ++depth_;
    n->list.push_back(ParseList(&stop));
    --depth_;
    if (stop.empty()) Fail(line, "unexpected EOF");
    if (stop == "else") {
      const Item& it = items_[pos_ - 1];
      if (it.tokens.size() > 1 && it.tokens[1].type == Tok::kIdent &&
          (it.tokens[1].text == "if" || it.tokens[1].text == "with") && kw != "range") {
        // {{else if …}}: a nested control whose {{end}} also closes this one.
        toks_ = &items_[pos_ - 1].tokens;
        tp_ = 2;
        auto wrap = std::make_unique<TemplateNode>();
        wrap->kind = TemplateNode::Kind::kList;
        wrap->list.push_back(ParseControl(it.tokens[1].text, it.line));
        n->else_list = std::move(wrap);
        return n;
      }
      if (it.tokens.size() > 1) Fail(it.line, "unexpected tokens in else");
      ++depth_;
      n->else_list = ParseList(&stop);
      --depth_;
      if (stop != "end") Fail(line, stop.empty() ? "unexpected EOF" : "expected end; found {{else}}");
    }
    return n;
  }

  TPipeline ParsePipeline(int line, bool allow_decl) {
    TPipeline p;
    p.line = line;
    p.source = source_;
    const auto& t = *toks_;
    if (allow_decl && tp_ < t.size() && t[tp_].type == Tok::kVar) {
      size_t save = tp_;
      std::vector<std::string> decls{t[tp_].text};
      size_t k = tp_ + 1;
      if (k + 1 < t.size() && t[k].type == Tok::kComma && t[k + 1].type == Tok::kVar) {
        decls.push_back(t[k + 1].text);
        k += 2;
      }
      if (k < t.size() && (t[k].type == Tok::kDeclare || t[k].type == Tok::kAssign)) {
        p.decls = decls;
        p.assign = t[k].type == Tok::kAssign;
        tp_ = k + 1;
      } else {
        tp_ = save;
      }
    }
    while (true) {
      TCommand cmd;
      while (tp_ < t.size() && t[tp_].type != Tok::kPipe && t[tp_].type != Tok::kRParen) {
        cmd.args.push_back(ParseOperand(line));
      }
      if (cmd.args.empty()) Fail(line, p.cmds.empty() ? "missing value for command" : "missing command");
      p.cmds.push_back(std::move(cmd));
      if (tp_ < t.size() && t[tp_].type == Tok::kPipe) {
        ++tp_;
        continue;
      }
      break;
    }
    return p;
  }

  TOperand ParseOperand(int line) {
    const auto& t = *toks_;
    const Token& tok = t[tp_++];
    TOperand op;
    switch (tok.type) {
      case Tok::kDot: op.kind = TOperand::Kind::kDot; break;
      case Tok::kField:
        op.kind = TOperand::Kind::kField;
        op.fields.push_back(tok.text);
        break;
      case Tok::kVar: op.kind = TOperand::Kind::kVariable; op.name = tok.text; break;
      case Tok::kString: op.literal = TValue::String(tok.text); break;
      case Tok::kNumber: op.literal = ParseNumber(tok.text, line); break;
      case Tok::kIdent:
        if (tok.text == "true" || tok.text == "false") {
          op.literal = TValue::Bool(tok.text == "true");
        } else if (tok.text == "nil") {
          op.literal = TValue::Nil();
        } else {
          if (LookupTemplateFunc(tok.text) == nullptr && tok.text != "and" && tok.text != "or") {
            Fail(line, "function \"" + tok.text + "\" not defined");
          }
          op.kind = TOperand::Kind::kFunc;
          op.name = tok.text;
        }
        break;
      case Tok::kLParen: {
        op.kind = TOperand::Kind::kPipe;
        op.sub = std::make_shared<TPipeline>(ParsePipeline(line, false));
        if (tp_ >= t.size() || t[tp_].type != Tok::kRParen) Fail(line, "unclosed left paren");
        ++tp_;
        break;
      }
      default: Fail(line, "unexpected \"" + tok.text + "\" in operand");
    }
    while (tp_ < t.size() && t[tp_].type == Tok::kField && t[tp_].chained) {
      if (op.kind == TOperand::Kind::kLiteral || op.kind == TOperand::Kind::kFunc) {
        Fail(line, "unexpected . after term");
      }
      op.fields.push_back(t[tp_++].text);
    }
    return op;
  }

  TValue ParseNumber(const std::string& s, int line) {
    try {
      size_t used = 0;
      bool is_float = s.find_first_of(".eE") != std::string::npos &&
                      !(s.size() > 2 && (s[1] == 'x' || s[1] == 'X'));
      if (!is_float) {
        int64_t v = std::stoll(s, &used, 0);
        if (used == s.size()) return TValue::Int(v);
      } else {
        double v = std::stod(s, &used);
        if (used == s.size()) return TValue::Float(v);
      }
    } catch (const std::exception&) {
    }
    Fail(line, "bad number syntax: \"" + s + "\"");
  }

  std::vector<Item> items_;
  const std::string& name_;
  TemplateDefs defs_;
  int depth_ = 0;  // nesting of if/with/range/define bodies
  size_t pos_ = 0;
  int line_ = 1;
  const std::vector<Token>* toks_ = nullptr;
  size_t tp_ = 0;
  std::string source_;
};

}  // namespace

Template::~Template() = default;

Result<std::shared_ptr<const Template>> Template::Parse(std::string_view text, std::string name,
                                                       const Template* base) {
  try {
    Lexer lexer(text, name);
    Parser parser(lexer.Run(), name);
    auto root = parser.ParseAll();
    std::shared_ptr<Template> t(new Template());
    t->name_ = std::move(name);
    t->root_ = std::move(root);
    if (parser.defs().empty() && base != nullptr && base->defs_) {
      t->defs_ = base->defs_;  // share, the common case of a field text without defines
    } else {
      auto defs = std::make_shared<TemplateDefs>();
      if (base != nullptr && base->defs_) *defs = *base->defs_;
      for (auto& [k, v] : parser.defs()) (*defs)[k] = std::move(v);
      t->defs_ = std::move(defs);
    }
    return std::shared_ptr<const Template>(std::move(t));
  } catch (const ParseError& e) {
    return Status::InvalidArgument(e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("template: ") + e.what());
  }
}

Status CheckTemplateSyntax(std::string_view text, const std::string& name) {
  auto t = Template::Parse(text, name);
  return t.ok() ? Status::OK() : t.status();
}

}  // namespace tidemark::alerting
