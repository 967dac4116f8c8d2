// A Go text/template subset for alert labels/annotations and notification texts, with
// Prometheus' function library (humanize…, query, reReplaceAll, …).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/alerting/manager.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

struct TValue;
using TMap = std::map<std::string, TValue>;
using TList = std::vector<TValue>;

// A dynamically typed template value (Go's interface{} as far as templates need it).
struct TValue {
  enum class Kind : uint8_t { kNil, kBool, kInt, kFloat, kString, kMap, kStruct, kList };
  Kind kind = Kind::kNil;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<const TMap> map;    // kMap (missing key = "") and kStruct (missing = error)
  std::shared_ptr<const TList> list;  // kList
  std::string type_name;              // Go type name for messages ("float64", "*sample", …)

  static TValue Nil() { return {}; }
  static TValue Bool(bool v);
  static TValue Int(int64_t v);
  static TValue Float(double v);
  static TValue String(std::string v);
  static TValue Map(TMap m);
  static TValue Struct(TMap m, std::string type_name);
  static TValue List(TList l);
  static TValue FromLabels(const Labels& l);  // map[string]string
  static TValue Sample(const Labels& l, double v);  // {Labels, Value}

  bool Truthy() const;  // Go template truth: non-zero, non-empty
  std::string GoTypeName() const;
};

// Go's %v rendering of a value (floats as strconv 'g' shortest, maps as map[k:v]).
std::string GoPrint(const TValue& v);
// Go fmt.Sprintf for the verbs templates use (%v %s %d %f %e %g %q %x %t %%, width, precision).
std::string GoSprintf(std::string_view format, const std::vector<TValue>& args);

// Prometheus' convertToFloat: numbers as is, strings via strconv.ParseFloat.
Result<double> TemplateToFloat(const TValue& v);
// Prometheus' humanize functions; errors like strconv.ParseFloat for non-numeric strings.
Result<std::string> Humanize(const TValue& v);
Result<std::string> Humanize1024(const TValue& v);
Result<std::string> HumanizeDuration(const TValue& v);
Result<std::string> HumanizePercentage(const TValue& v);
Result<std::string> HumanizeTimestamp(const TValue& v);

// Everything a template can see.
struct TemplateContext {
  TValue dot;                                  // `.`
  std::vector<std::pair<std::string, TValue>> vars;  // predeclared variables ("$labels", …)
  Timestamp now = 0;                            // evaluation time (query "…" runs at it)
  const QueryFn* query = nullptr;               // nullable: `query` then fails
  std::string external_url;
};

class Template;
struct TemplateNode;
// Named templates ({{define "name"}}…{{end}}) by name.
using TemplateDefs = std::map<std::string, std::shared_ptr<const TemplateNode>>;

// A parsed template; Execute is const and thread-safe.
class Template {
 public:
  // `base` (nullable) contributes its named templates, as Go's Clone().New().Parse() does:
  // `text` may call them with {{template "name" .}}, and its own {{define}}s replace theirs.
  static Result<std::shared_ptr<const Template>> Parse(std::string_view text, std::string name,
                                                       const Template* base = nullptr);
  Result<std::string> Execute(const TemplateContext& ctx) const;
  // Runs the named template `define_name` with `ctx` (error if it is not defined).
  Result<std::string> ExecuteDefined(const std::string& define_name, const TemplateContext& ctx) const;
  bool Defines(const std::string& define_name) const { return defs_ && defs_->count(define_name) != 0; }
  const std::string& name() const { return name_; }
  const TemplateDefs* defs() const { return defs_.get(); }
  ~Template();

 private:
  Template() = default;
  std::string name_;
  std::unique_ptr<TemplateNode> root_;
  std::shared_ptr<const TemplateDefs> defs_;  // never null once parsed
};

// The data an alert template sees (Prometheus' AlertTemplateData).
struct AlertTemplateData {
  Labels labels;
  Labels external_labels;
  std::string external_url;
  double value = 0;
};

// Builds the context with $labels, $externalLabels, $externalURL, $value and .Labels etc.
TemplateContext MakeAlertContext(const AlertTemplateData& data, Timestamp now,
                                 const QueryFn* query);
// Expands an alert label/annotation template; on error returns the text Prometheus shows:
// "<error expanding template: …>". Never throws.
std::string ExpandAlertTemplate(std::string_view text, const std::string& name,
                                const AlertTemplateData& data, Timestamp now,
                                const QueryFn* query);
// Syntax-only check used by rule validation ("template: NAME:LINE: …" on error).
Status CheckTemplateSyntax(std::string_view text, const std::string& name);

}  // namespace tidemark::alerting
