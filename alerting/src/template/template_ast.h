// Internal syntax tree of the Go-template subset (shared by parser and executor).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "template/template.h"

namespace tidemark::alerting {

struct TPipeline;

struct TOperand {
  enum class Kind : uint8_t { kDot, kField, kVariable, kFunc, kLiteral, kPipe };
  Kind kind = Kind::kLiteral;
  std::string name;                 // variable ("$x", "$") or function name
  std::vector<std::string> fields;  // trailing .a.b chain
  TValue literal;
  std::shared_ptr<TPipeline> sub;   // kPipe: parenthesized pipeline
};

struct TCommand {
  std::vector<TOperand> args;
  int pos = 0;
};

struct TPipeline {
  std::vector<std::string> decls;  // "$x" or "$i", "$e"
  bool assign = false;             // `=` instead of `:=`
  std::vector<TCommand> cmds;
  int line = 1;
  std::string source;              // text for error messages ("<printf …>")
};

struct TemplateNode {
  enum class Kind : uint8_t { kList, kText, kAction, kIf, kRange, kWith, kBreak, kContinue, kTemplate };
  Kind kind = Kind::kList;
  std::string text;  // kText: the text; kTemplate: the name of the template to run
  TPipeline pipe;
  std::vector<std::unique_ptr<TemplateNode>> list;       // kList children / body
  std::unique_ptr<TemplateNode> else_list;               // if/range/with else branch
};

// Built-in functions: name → implementation. Args are evaluated (no short circuit except
// and/or handled by the executor).
using TFunc = Result<TValue> (*)(const std::vector<TValue>& args, const TemplateContext& ctx);
const TFunc* LookupTemplateFunc(const std::string& name);

}  // namespace tidemark::alerting
