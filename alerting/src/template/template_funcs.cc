// The function library templates can call: Go's builtins plus Prometheus' additions.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <vector>

#include "template/template_ast.h"
#include "tidemark/alerting/rule_file.h"
#include "tidemark/storage/model/regexp_expand.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

using Args = std::vector<TValue>;

Status WantArgs(const Args& a, size_t n) {
  if (a.size() == n) return Status::OK();
  return Status::InvalidArgument("wrong number of args: want " + std::to_string(n) + " got " +
                                 std::to_string(a.size()));
}

Result<std::string> AsStr(const TValue& v) {
  if (v.kind == TValue::Kind::kString) return v.s;
  return Status::InvalidArgument("wrong type for value; expected string; got " + v.GoTypeName());
}

Result<TValue> StrFn(const Args& a, Result<std::string> (*fn)(const TValue&)) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string s, fn(a[0]));
  return TValue::String(std::move(s));
}

// Go's basic-kind comparison, lenient across int/float (Go would refuse mixed kinds).
Result<int> Compare(const TValue& x, const TValue& y) {
  auto num = [](const TValue& v) { return v.kind == TValue::Kind::kInt ? double(v.i) : v.f; };
  const bool xn = x.kind == TValue::Kind::kInt || x.kind == TValue::Kind::kFloat;
  const bool yn = y.kind == TValue::Kind::kInt || y.kind == TValue::Kind::kFloat;
  if (xn && yn) {
    double a = num(x), b = num(y);
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  if (x.kind == TValue::Kind::kString && y.kind == TValue::Kind::kString) {
    return x.s < y.s ? -1 : (x.s > y.s ? 1 : 0);
  }
  if (x.kind == TValue::Kind::kBool && y.kind == TValue::Kind::kBool) {
    return x.b == y.b ? 0 : 2;  // unordered but comparable for eq
  }
  return Status::InvalidArgument("incompatible types for comparison");
}

Result<TValue> Eq(const Args& a, const TemplateContext&) {
  if (a.size() < 2) return Status::InvalidArgument("missing argument for comparison");
  for (size_t i = 1; i < a.size(); ++i) {
    TM_ASSIGN_OR_RETURN(int c, Compare(a[0], a[i]));
    if (c == 0) return TValue::Bool(true);
  }
  return TValue::Bool(false);
}
Result<TValue> Ne(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  TM_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1]));
  return TValue::Bool(c != 0);
}
template <int kOp>
Result<TValue> Ord(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  if (a[0].kind == TValue::Kind::kBool) {
    return Status::InvalidArgument("invalid type for comparison");
  }
  TM_ASSIGN_OR_RETURN(int c, Compare(a[0], a[1]));
  switch (kOp) {
    case 0: return TValue::Bool(c < 0);
    case 1: return TValue::Bool(c <= 0);
    case 2: return TValue::Bool(c > 0);
    default: return TValue::Bool(c >= 0);
  }
}
Result<TValue> Not(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  return TValue::Bool(!a[0].Truthy());
}
Result<TValue> Len(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  switch (a[0].kind) {
    case TValue::Kind::kString: return TValue::Int(static_cast<int64_t>(a[0].s.size()));
    case TValue::Kind::kMap: return TValue::Int(static_cast<int64_t>(a[0].map->size()));
    case TValue::Kind::kList: return TValue::Int(static_cast<int64_t>(a[0].list->size()));
    default: return Status::InvalidArgument("len of type " + a[0].GoTypeName());
  }
}
Result<TValue> Index(const Args& a, const TemplateContext&) {
  if (a.empty()) return Status::InvalidArgument("index of untyped nil");
  TValue v = a[0];
  for (size_t i = 1; i < a.size(); ++i) {
    if (v.kind == TValue::Kind::kMap && a[i].kind == TValue::Kind::kString) {
      auto it = v.map->find(a[i].s);
      v = it == v.map->end() ? TValue::String("") : it->second;
    } else if (v.kind == TValue::Kind::kList && a[i].kind == TValue::Kind::kInt) {
      if (a[i].i < 0 || static_cast<size_t>(a[i].i) >= v.list->size()) {
        return Status::InvalidArgument("index out of range: " + std::to_string(a[i].i));
      }
      v = (*v.list)[static_cast<size_t>(a[i].i)];
    } else {
      return Status::InvalidArgument("can't index item of type " + v.GoTypeName());
    }
  }
  return v;
}
Result<TValue> Printf(const Args& a, const TemplateContext&) {
  if (a.empty()) return Status::InvalidArgument("wrong number of args for printf: want at least 1 got 0");
  TM_ASSIGN_OR_RETURN(std::string f, AsStr(a[0]));
  return TValue::String(GoSprintf(f, Args(a.begin() + 1, a.end())));
}
Result<TValue> Print(const Args& a, const TemplateContext&) {
  // fmt.Sprint: spaces between operands when neither is a string.
  std::string s;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && a[i].kind != TValue::Kind::kString && a[i - 1].kind != TValue::Kind::kString) {
      s += ' ';
    }
    s += GoPrint(a[i]);
  }
  return TValue::String(s);
}
Result<TValue> Println(const Args& a, const TemplateContext&) {
  std::string s;
  for (size_t i = 0; i < a.size(); ++i) s += (i ? " " : "") + GoPrint(a[i]);
  return TValue::String(s + "\n");
}

Result<TValue> Humanize_(const Args& a, const TemplateContext&) { return StrFn(a, Humanize); }
Result<TValue> Humanize1024_(const Args& a, const TemplateContext&) { return StrFn(a, Humanize1024); }
Result<TValue> HumanizeDuration_(const Args& a, const TemplateContext&) {
  return StrFn(a, HumanizeDuration);
}
Result<TValue> HumanizePercentage_(const Args& a, const TemplateContext&) {
  return StrFn(a, HumanizePercentage);
}
Result<TValue> HumanizeTimestamp_(const Args& a, const TemplateContext&) {
  return StrFn(a, HumanizeTimestamp);
}

template <int kMode>  // 0 upper, 1 lower, 2 title
Result<TValue> CaseFn(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string s, AsStr(a[0]));
  bool at_word_start = true;
  for (char& c : s) {
    auto u = static_cast<unsigned char>(c);
    if (kMode == 0) c = static_cast<char>(std::toupper(u));
    if (kMode == 1) c = static_cast<char>(std::tolower(u));
    if (kMode == 2) {
      // strings.Title: letters after a separator (ASCII non-alphanumeric except '_') go upper.
      if (at_word_start) c = static_cast<char>(std::toupper(u));
      at_word_start = u < 0x80 && !std::isalnum(u) && u != '_';
    }
  }
  return TValue::String(s);
}

// Go's Regexp.ReplaceAllString: every non-overlapping match, left to right, replaced by the
// expanded template (regexp_expand.h); an empty match right after a match is not replaced, and
// the search moves on by at least one character.
Result<TValue> ReReplaceAll(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 3));
  TM_ASSIGN_OR_RETURN(std::string pattern, AsStr(a[0]));
  TM_ASSIGN_OR_RETURN(std::string repl, AsStr(a[1]));
  TM_ASSIGN_OR_RETURN(std::string text, AsStr(a[2]));
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) return Status::InvalidArgument("error parsing regexp: " + re.error());
  const int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(ngroups);
  std::vector<std::string_view> groups(ngroups);
  std::string out;
  size_t last_end = 0;
  for (size_t pos = 0; pos <= text.size();) {
    if (!re.Match(text, pos, text.size(), RE2::UNANCHORED, pieces.data(), ngroups)) break;
    for (int i = 0; i < ngroups; ++i) {
      groups[i] = std::string_view(pieces[i].data(), pieces[i].size());
    }
    const size_t begin = static_cast<size_t>(pieces[0].data() - text.data());
    const size_t end = begin + pieces[0].size();
    out.append(text, last_end, begin - last_end);
    if (end > last_end || begin == 0) {
      AppendRegexpExpand(out, repl, groups, re.NamedCapturingGroups());
    }
    last_end = end;
    uint32_t rune = 0;
    const size_t width = pos < text.size() ? DecodeRune(text, pos, &rune) : 0;
    if (pos + width > end) {
      pos += width;
    } else if (pos + 1 > end) {
      ++pos;  // only at the end of the text, where there is no character to step over
    } else {
      pos = end;
    }
  }
  out.append(text, last_end);
  return TValue::String(out);
}
Result<TValue> Match(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  TM_ASSIGN_OR_RETURN(std::string pattern, AsStr(a[0]));
  TM_ASSIGN_OR_RETURN(std::string text, AsStr(a[1]));
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) return Status::InvalidArgument("error parsing regexp: " + re.error());
  return TValue::Bool(RE2::PartialMatch(text, re));
}

Result<TValue> Query(const Args& a, const TemplateContext& ctx) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string q, AsStr(a[0]));
  if (ctx.query == nullptr || !*ctx.query) {
    return Status::InvalidArgument("query is not available in this context");
  }
  auto r = (*ctx.query)(q, ctx.now);
  if (!r.ok()) return r.status();
  TList out;
  switch (r->kind) {
    case query::ValueKind::kVector:
      for (const auto& s : r->vector) out.push_back(TValue::Sample(s.metric, s.v));
      break;
    case query::ValueKind::kScalar: out.push_back(TValue::Sample(Labels(), r->scalar)); break;
    case query::ValueKind::kString:
      out.push_back(TValue::Sample(Labels({{"__value__", r->str}}), 0));
      break;
    default: return Status::InvalidArgument("query result is not a vector or scalar");
  }
  return TValue::List(std::move(out));
}
Result<TValue> First(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  if (a[0].kind != TValue::Kind::kList) return Status::InvalidArgument("first() needs a query result");
  if (a[0].list->empty()) return Status::InvalidArgument("first() called on vector with no elements");
  return a[0].list->front();
}
Result<TValue> SampleField(const TValue& s, const char* field) {
  if (s.kind != TValue::Kind::kStruct || s.map->count(field) == 0) {
    return Status::InvalidArgument("wrong type for value; expected *template.sample; got " +
                                   s.GoTypeName());
  }
  return s.map->at(field);
}
Result<TValue> Label(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  TM_ASSIGN_OR_RETURN(std::string name, AsStr(a[0]));
  TM_ASSIGN_OR_RETURN(TValue labels, SampleField(a[1], "Labels"));
  auto it = labels.map->find(name);
  return it == labels.map->end() ? TValue::String("") : it->second;
}
Result<TValue> Value(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  return SampleField(a[0], "Value");
}
Result<TValue> StrValue(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(TValue labels, SampleField(a[0], "Labels"));
  auto it = labels.map->find("__value__");
  return it == labels.map->end() ? TValue::String("") : it->second;
}
Result<TValue> SortByLabel(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  TM_ASSIGN_OR_RETURN(std::string name, AsStr(a[0]));
  if (a[1].kind != TValue::Kind::kList) return Status::InvalidArgument("sortByLabel needs a query result");
  TList l = *a[1].list;
  auto key = [&](const TValue& s) {
    auto it = s.map->at("Labels").map->find(name);
    return it == s.map->at("Labels").map->end() ? std::string() : it->second.s;
  };
  std::stable_sort(l.begin(), l.end(), [&](const TValue& x, const TValue& y) { return key(x) < key(y); });
  return TValue::List(std::move(l));
}
Result<TValue> ArgsFn(const Args& a, const TemplateContext&) {
  TMap m;
  for (size_t i = 0; i < a.size(); ++i) m.emplace("arg" + std::to_string(i), a[i]);
  return TValue::Map(std::move(m));
}
Result<TValue> Identity(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  return TValue::String(GoPrint(a[0]));
}
// Go's urlquery: the arguments printed (as print does) and query-escaped.
Result<TValue> UrlQuery(const Args& a, const TemplateContext& ctx) {
  TM_ASSIGN_OR_RETURN(TValue printed, Print(a, ctx));
  return TValue::String(UrlEscape(printed.s, /*space_as_plus=*/true));
}
Result<TValue> ExternalURL(const Args& a, const TemplateContext& ctx) {
  TM_RETURN_IF_ERROR(WantArgs(a, 0));
  return TValue::String(ctx.external_url);
}
Result<TValue> StripPort(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string s, AsStr(a[0]));
  if (!s.empty() && s[0] == '[') {
    size_t e = s.find(']');
    return TValue::String(e == std::string::npos ? s : s.substr(1, e - 1));
  }
  size_t c = s.rfind(':');
  if (c != std::string::npos && s.find(':') == c) s.erase(c);
  return TValue::String(s);
}
Result<TValue> ToTime(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string s, HumanizeTimestamp(a[0]));
  return TValue::String(std::move(s));
}
Result<TValue> ParseDurationFn(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 1));
  TM_ASSIGN_OR_RETURN(std::string s, AsStr(a[0]));
  auto d = ParsePromDuration(s);
  if (!d.ok()) return d.status();
  return TValue::Float(static_cast<double>(*d) / 1000.0);
}

// Alertmanager's join: join SEP LIST.
Result<TValue> Join(const Args& a, const TemplateContext&) {
  TM_RETURN_IF_ERROR(WantArgs(a, 2));
  TM_ASSIGN_OR_RETURN(std::string sep, AsStr(a[0]));
  if (a[1].kind != TValue::Kind::kList) return Status::InvalidArgument("join needs a list");
  std::string out;
  for (size_t i = 0; i < a[1].list->size(); ++i) out += (i ? sep : "") + GoPrint((*a[1].list)[i]);
  return TValue::String(out);
}

const std::map<std::string, TFunc>& Table() {
  static const std::map<std::string, TFunc> kTable = {
      {"eq", Eq}, {"ne", Ne}, {"lt", Ord<0>}, {"le", Ord<1>}, {"gt", Ord<2>}, {"ge", Ord<3>},
      {"not", Not}, {"len", Len}, {"index", Index}, {"printf", Printf}, {"print", Print},
      {"println", Println}, {"html", Identity}, {"js", Identity}, {"urlquery", UrlQuery},
      {"humanize", Humanize_}, {"humanize1024", Humanize1024_},
      {"humanizeDuration", HumanizeDuration_}, {"humanizePercentage", HumanizePercentage_},
      {"humanizeTimestamp", HumanizeTimestamp_}, {"toUpper", CaseFn<0>}, {"toLower", CaseFn<1>},
      {"title", CaseFn<2>}, {"reReplaceAll", ReReplaceAll}, {"match", Match}, {"query", Query},
      {"first", First}, {"label", Label}, {"value", Value}, {"strvalue", StrValue},
      {"sortByLabel", SortByLabel}, {"args", ArgsFn}, {"safeHtml", Identity},
      {"externalURL", ExternalURL}, {"stripPort", StripPort}, {"toTime", ToTime},
      {"parseDuration", ParseDurationFn}, {"join", Join},
  };
  return kTable;
}

}  // namespace

const TFunc* LookupTemplateFunc(const std::string& name) {
  const auto& t = Table();
  auto it = t.find(name);
  return it == t.end() ? nullptr : &it->second;
}

}  // namespace tidemark::alerting
