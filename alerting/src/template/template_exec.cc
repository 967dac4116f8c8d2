// Executes parsed templates: variables, pipelines, if/range/with, short-circuit and/or.
#include <stdexcept>

#include "template/template_ast.h"

namespace tidemark::alerting {
namespace {

// Output beyond this is an error: a runaway `range` must not eat memory.
constexpr size_t kMaxOutputBytes = 1 << 20;

struct ExecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Flow : uint8_t { kNormal, kBreak, kContinue };

class Executor {
 public:
  Executor(const Template& t, const TemplateContext& ctx) : tmpl_(t), ctx_(ctx) {
    for (const auto& v : ctx.vars) vars_.push_back(v);
    vars_.emplace_back("$", ctx.dot);
  }

  std::string Run(const TemplateNode& root) {
    Walk(root, ctx_.dot);
    return std::move(out_);
  }

 private:
  [[noreturn]] void Fail(const TPipeline& p, const std::string& msg) const {
    throw ExecError("template: " + tmpl_.name() + ":" + std::to_string(p.line) +
                    ": executing \"" + tmpl_.name() + "\" at <" + Strip(p.source) + ">: " + msg);
  }
  static std::string Strip(const std::string& s) {
    std::string r = s;
    if (r.rfind("{{", 0) == 0) r.erase(0, 2);
    if (r.size() >= 2 && r.compare(r.size() - 2, 2, "}}") == 0) r.erase(r.size() - 2);
    size_t b = r.find_first_not_of(" -"), e = r.find_last_not_of(" -");
    return b == std::string::npos ? "" : r.substr(b, e - b + 1);
  }

  Flow Walk(const TemplateNode& n, const TValue& dot) {
    switch (n.kind) {
      case TemplateNode::Kind::kList:
        for (const auto& c : n.list) {
          Flow f = Walk(*c, dot);
          if (f != Flow::kNormal) return f;
        }
        return Flow::kNormal;
      case TemplateNode::Kind::kText:
        Emit(n.text);
        return Flow::kNormal;
      case TemplateNode::Kind::kAction: {
        TValue v = EvalPipeline(n.pipe, dot);
        if (n.pipe.decls.empty()) Emit(v.kind == TValue::Kind::kNil ? "<no value>" : GoPrint(v));
        return Flow::kNormal;
      }
      case TemplateNode::Kind::kBreak: return Flow::kBreak;
      case TemplateNode::Kind::kContinue: return Flow::kContinue;
      case TemplateNode::Kind::kIf:
      case TemplateNode::Kind::kWith: {
        size_t mark = vars_.size();
        TValue v = EvalPipeline(n.pipe, dot);
        Flow f = Flow::kNormal;
        if (v.Truthy()) {
          f = Walk(*n.list[0], n.kind == TemplateNode::Kind::kWith ? v : dot);
        } else if (n.else_list) {
          f = Walk(*n.else_list, dot);
        }
        vars_.resize(mark);
        return f;
      }
      case TemplateNode::Kind::kRange: return Range(n, dot);
      case TemplateNode::Kind::kTemplate: {
        const TValue arg = n.pipe.cmds.empty() ? TValue::Nil() : EvalPipeline(n.pipe, dot);
        RunDefined(n.text, arg, &n.pipe);
        return Flow::kNormal;
      }
    }
    return Flow::kNormal;
  }

 public:
  // Runs the named template with `dot` in a fresh variable scope ($ = dot), as Go does.
  void RunDefined(const std::string& define_name, const TValue& dot, const TPipeline* at) {
    const TemplateDefs* defs = tmpl_.defs();
    auto it = defs == nullptr ? TemplateDefs::const_iterator() : defs->find(define_name);
    if (defs == nullptr || it == defs->end()) {
      if (at != nullptr) Fail(*at, "template \"" + define_name + "\" not defined");
      throw ExecError("template: no template \"" + define_name + "\" associated with template \"" +
                      tmpl_.name() + "\"");
    }
    // Go stops runaway recursion at 100000 levels; our stack is smaller.
    constexpr int kMaxDepth = 200;
    if (++depth_ > kMaxDepth) {
      throw ExecError("template: " + tmpl_.name() + ": exceeded maximum template depth (" +
                      std::to_string(kMaxDepth) + ")");
    }
    std::vector<std::pair<std::string, TValue>> saved;
    saved.swap(vars_);
    vars_.emplace_back("$", dot);
    Walk(*it->second, dot);
    vars_.swap(saved);
    --depth_;
  }
  std::string TakeOutput() { return std::move(out_); }

 private:

  Flow Range(const TemplateNode& n, const TValue& dot) {
    size_t mark = vars_.size();
    TPipeline pipe = n.pipe;
    std::vector<std::string> decls = std::move(pipe.decls);
    pipe.decls.clear();
    TValue v = EvalPipeline(pipe, dot);
    auto body = [&](const TValue& key, const TValue& elem) {
      size_t inner = vars_.size();
      if (decls.size() == 1) vars_.emplace_back(decls[0], elem);
      if (decls.size() == 2) {
        vars_.emplace_back(decls[0], key);
        vars_.emplace_back(decls[1], elem);
      }
      Flow f = Walk(*n.list[0], elem);
      vars_.resize(inner);
      return f;
    };
    bool any = false;
    if (v.kind == TValue::Kind::kList) {
      for (size_t i = 0; i < v.list->size(); ++i) {
        any = true;
        if (body(TValue::Int(static_cast<int64_t>(i)), (*v.list)[i]) == Flow::kBreak) break;
      }
    } else if (v.kind == TValue::Kind::kMap || v.kind == TValue::Kind::kStruct) {
      if (v.kind == TValue::Kind::kStruct) Fail(n.pipe, "range can't iterate over " + GoPrint(v));
      for (const auto& [k, e] : *v.map) {
        any = true;
        if (body(TValue::String(k), e) == Flow::kBreak) break;
      }
    } else if (v.kind == TValue::Kind::kInt) {
      for (int64_t i = 0; i < v.i && i < 100000; ++i) {
        any = true;
        if (body(TValue::Int(i), TValue::Int(i)) == Flow::kBreak) break;
      }
    } else if (v.kind != TValue::Kind::kNil) {
      Fail(n.pipe, "range can't iterate over " + GoPrint(v));
    }
    Flow f = Flow::kNormal;
    if (!any && n.else_list) f = Walk(*n.else_list, dot);
    vars_.resize(mark);
    return f == Flow::kBreak || f == Flow::kContinue ? Flow::kNormal : f;
  }

  void Emit(const std::string& s) {
    out_ += s;
    if (out_.size() > kMaxOutputBytes) throw ExecError("template output too large");
  }

  TValue EvalPipeline(const TPipeline& p, const TValue& dot) {
    TValue v;
    bool has = false;
    for (const auto& cmd : p.cmds) {
      v = EvalCommand(p, cmd, dot, has ? &v : nullptr);
      has = true;
    }
    if (!p.decls.empty()) {
      if (p.assign) {
        bool found = false;
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == p.decls[0]) {
            it->second = v;
            found = true;
            break;
          }
        }
        if (!found) Fail(p, "undefined variable: " + p.decls[0]);
      } else {
        vars_.emplace_back(p.decls.back(), v);
      }
    }
    return v;
  }

  TValue EvalCommand(const TPipeline& p, const TCommand& cmd, const TValue& dot,
                     const TValue* piped) {
    const TOperand& head = cmd.args[0];
    if (head.kind == TOperand::Kind::kFunc) {
      if (head.name == "and" || head.name == "or") {
        const bool is_and = head.name == "and";
        size_t n = cmd.args.size() - 1 + (piped ? 1 : 0);
        if (n == 0) Fail(p, "wrong number of args for " + head.name + ": want at least 1 got 0");
        TValue v;
        for (size_t i = 1; i <= n; ++i) {
          v = i < cmd.args.size() ? EvalOperand(p, cmd.args[i], dot) : *piped;
          if (v.Truthy() != is_and) return v;
        }
        return v;
      }
      std::vector<TValue> args;
      for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(EvalOperand(p, cmd.args[i], dot));
      if (piped) args.push_back(*piped);
      const TFunc* fn = LookupTemplateFunc(head.name);
      if (fn == nullptr) Fail(p, "function \"" + head.name + "\" not defined");
      Result<TValue> r = (*fn)(args, ctx_);
      if (!r.ok()) Fail(p, "error calling " + head.name + ": " + r.status().message());
      return std::move(r).value();
    }
    if (cmd.args.size() > 1 || piped != nullptr) {
      Fail(p, "can't give argument to non-function " + OperandText(head));
    }
    return EvalOperand(p, head, dot);
  }

  static std::string OperandText(const TOperand& op) {
    std::string s = op.kind == TOperand::Kind::kVariable ? op.name : "";
    for (const auto& f : op.fields) s += "." + f;
    return s.empty() ? "." : s;
  }

  TValue EvalOperand(const TPipeline& p, const TOperand& op, const TValue& dot) {
    TValue base;
    switch (op.kind) {
      case TOperand::Kind::kDot:
      case TOperand::Kind::kField: base = dot; break;
      case TOperand::Kind::kLiteral: return op.literal;
      case TOperand::Kind::kFunc: {
        TCommand c;
        c.args.push_back(op);
        return EvalCommand(p, c, dot, nullptr);
      }
      case TOperand::Kind::kPipe: base = EvalPipeline(*op.sub, dot); break;
      case TOperand::Kind::kVariable: {
        bool found = false;
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == op.name) {
            base = it->second;
            found = true;
            break;
          }
        }
        if (!found) Fail(p, "undefined variable: " + op.name);
        break;
      }
    }
    for (const auto& f : op.fields) base = Field(p, base, f);
    return base;
  }

  TValue Field(const TPipeline& p, const TValue& v, const std::string& name) {
    switch (v.kind) {
      case TValue::Kind::kMap: {
        auto it = v.map->find(name);
        return it == v.map->end() ? TValue::String("") : it->second;
      }
      case TValue::Kind::kStruct: {
        auto it = v.map->find(name);
        if (it == v.map->end()) Fail(p, "can't evaluate field " + name + " in type " + v.GoTypeName());
        return it->second;
      }
      case TValue::Kind::kList:
        // Alertmanager's .Alerts.Firing / .Alerts.Resolved.
        if (name == "Firing" || name == "Resolved") {
          TList out;
          const std::string want = name == "Firing" ? "firing" : "resolved";
          for (const auto& e : *v.list) {
            if (e.kind == TValue::Kind::kStruct && e.map->count("Status") &&
                e.map->at("Status").s == want) {
              out.push_back(e);
            }
          }
          return TValue::List(std::move(out));
        }
        Fail(p, "can't evaluate field " + name + " in type " + v.GoTypeName());
      case TValue::Kind::kNil: Fail(p, "nil pointer evaluating interface {}." + name);
      default: Fail(p, "can't evaluate field " + name + " in type " + v.GoTypeName());
    }
  }

  const Template& tmpl_;
  const TemplateContext& ctx_;
  std::vector<std::pair<std::string, TValue>> vars_;
  std::string out_;
  int depth_ = 0;
};

}  // namespace

Result<std::string> Template::Execute(const TemplateContext& ctx) const {
  try {
    Executor ex(*this, ctx);
    return ex.Run(*root_);
  } catch (const ExecError& e) {
    return Status::InvalidArgument(e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("template: ") + e.what());
  }
}

Result<std::string> Template::ExecuteDefined(const std::string& define_name,
                                             const TemplateContext& ctx) const {
  try {
    Executor ex(*this, ctx);
    ex.RunDefined(define_name, ctx.dot, nullptr);
    return ex.TakeOutput();
  } catch (const ExecError& e) {
    return Status::InvalidArgument(e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("template: ") + e.what());
  }
}

TemplateContext MakeAlertContext(const AlertTemplateData& data, Timestamp now,
                                 const QueryFn* query) {
  TemplateContext ctx;
  TValue labels = TValue::FromLabels(data.labels);
  TValue ext = TValue::FromLabels(data.external_labels);
  TValue url = TValue::String(data.external_url);
  TValue value = TValue::Float(data.value);
  ctx.dot = TValue::Struct({{"Labels", labels}, {"ExternalLabels", ext}, {"ExternalURL", url},
                            {"Value", value}},
                           "template.tmplData");
  ctx.vars = {{"$labels", labels}, {"$externalLabels", ext}, {"$externalURL", url},
              {"$value", value}};
  ctx.now = now;
  ctx.query = query;
  ctx.external_url = data.external_url;
  return ctx;
}

std::string ExpandAlertTemplate(std::string_view text, const std::string& name,
                                const AlertTemplateData& data, Timestamp now,
                                const QueryFn* query) {
  if (text.find("{{") == std::string_view::npos) return std::string(text);
  auto t = Template::Parse(text, name);
  if (!t.ok()) {
    return "<error expanding template: error parsing template " + name + ": " +
           t.status().message() + ">";
  }
  auto r = (*t)->Execute(MakeAlertContext(data, now, query));
  if (!r.ok()) {
    return "<error expanding template: error executing template " + name + ": " +
           r.status().message() + ">";
  }
  return std::move(r).value();
}

}  // namespace tidemark::alerting
