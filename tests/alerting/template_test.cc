// Template expansion against outputs Prometheus produces for the same templates.
#include <gtest/gtest.h>

#include "template/template.h"

namespace tidemark::alerting {
namespace {

struct Case {
  const char* text;
  double value;
  const char* want;
};

std::string Expand(const std::string& text, double value, const QueryFn* q = nullptr) {
  AlertTemplateData d;
  d.labels = Labels({{"instance", "host:9100"}, {"job", "node"}, {"severity", "page"}});
  d.external_labels = Labels({{"cluster", "eu1"}});
  d.external_url = "http://tm.example";
  d.value = value;
  return ExpandAlertTemplate(text, "__alert_Test", d, 1'000'000, q);
}

const Case kCases[] = {
    {"plain text", 0, "plain text"},
    {"{{ $labels.instance }}", 0, "host:9100"},
    {"{{ .Labels.job }}", 0, "node"},
    {"{{ $labels.missing }}", 0, ""},
    {"{{ $externalLabels.cluster }}", 0, "eu1"},
    {"{{ $externalURL }}", 0, "http://tm.example"},
    {"{{ $value }}", 0.5, "0.5"},
    {"{{ .Value }}", 1234567, "1.234567e+06"},
    {"{{ $value }}", 123456, "123456"},
    {"{{ $value }}", 1e21, "1e+21"},
    {"{{ $value }}", 0.0001, "0.0001"},
    {"{{ $value }}", 0.00001, "1e-05"},
    {"{{ printf \"%.2f\" $value }}", 3.14159, "3.14"},
    {"{{ printf \"%d items\" 3 }}", 0, "3 items"},
    {"{{ printf \"%s=%v\" \"a\" $value }}", 2, "a=2"},
    {"{{ printf \"%5.1f|\" $value }}", 2.25, "  2.2|"},
    {"{{ $value | humanize }}", 1234567, "1.235M"},
    {"{{ humanize $value }}", 0.0012, "1.2m"},
    {"{{ humanize 0 }}", 0, "0"},
    {"{{ humanize \"1e3\" }}", 0, "1k"},
    {"{{ humanize $value }}", 1e30, "1e+06Y"},
    {"{{ humanize1024 $value }}", 1048576, "1Mi"},
    {"{{ humanize1024 $value }}", 1536, "1.5ki"},
    {"{{ humanize1024 $value }}", 0.5, "0.5"},
    {"{{ humanizeDuration $value }}", 0, "0s"},
    {"{{ humanizeDuration $value }}", 1.5, "1.5s"},
    {"{{ humanizeDuration $value }}", 60, "1m 0s"},
    {"{{ humanizeDuration $value }}", 3600, "1h 0m 0s"},
    {"{{ humanizeDuration $value }}", 90061, "1d 1h 1m 1s"},
    {"{{ humanizeDuration $value }}", 12345.678, "3h 25m 45s"},
    {"{{ humanizeDuration $value }}", 0.1, "100ms"},
    {"{{ humanizeDuration $value }}", 0.0001, "100us"},
    {"{{ humanizeDuration $value }}", -60, "-1m 0s"},
    {"{{ humanizePercentage $value }}", 0.1234567, "12.35%"},
    {"{{ humanizePercentage $value }}", 1, "100%"},
    {"{{ humanizeTimestamp $value }}", 1435065584.128, "2015-06-23 13:19:44.128 +0000 UTC"},
    {"{{ humanizeTimestamp $value }}", 0, "1970-01-01 00:00:00 +0000 UTC"},
    {"{{ title \"aa bb-cc CC\" }}", 0, "Aa Bb-Cc CC"},
    {"{{ toUpper \"aBc\" }} {{ toLower \"aBc\" }}", 0, "ABC abc"},
    {"{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}", 0, "host"},
    {"{{ reReplaceAll \"(?P<h>[a-z]+):(\\\\d+)\" \"${h}@${2}\" $labels.instance }}", 0, "host@9100"},
    {"{{ if eq $labels.severity \"page\" }}P{{ else }}N{{ end }}", 0, "P"},
    {"{{ if gt $value 10.0 }}big{{ else if gt $value 1.0 }}mid{{ else }}small{{ end }}", 5, "mid"},
    {"{{ if and (ge $value 1.0) (lt $value 2.0) }}in{{ end }}", 1.5, "in"},
    {"{{ if or (eq 1 2) (not false) }}yes{{ end }}", 0, "yes"},
    {"{{ if ne $labels.job \"node\" }}x{{ else }}y{{ end }}", 0, "y"},
    {"{{ if le 2 2 }}le{{ end }}", 0, "le"},
    {"{{ with $labels.job }}job={{ . }}{{ end }}", 0, "job=node"},
    {"{{ with $labels.nope }}x{{ else }}none{{ end }}", 0, "none"},
    {"{{- \"a\" }}  {{ \"b\" -}}  c", 0, "a  bc"},
    {"x  {{- \"a\" -}}  y", 0, "xay"},
    {"{{/* comment */}}ok", 0, "ok"},
    {"{{ $x := 5 }}{{ $x }}", 0, "5"},
    {"{{ len $labels }}", 0, "3"},
    {"{{ index $labels \"job\" }}", 0, "node"},
    {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0,
     "instance=host:9100;job=node;severity=page;"},
    {"{{ humanize \"foo\" }}", 0,
     "<error expanding template: error executing template __alert_Test: template: __alert_Test:1: "
     "executing \"__alert_Test\" at <humanize \"foo\">: error calling humanize: "
     "strconv.ParseFloat: parsing \"foo\": invalid syntax>"},
    {"{{ .Nope }}", 0, "<error expanding template: error executing template __alert_Test: template: "
                       "__alert_Test:1: executing \"__alert_Test\" at <.Nope>: can't evaluate field "
                       "Nope in type template.tmplData>"},
    {"{{ if }}", 0, "<error expanding template: error parsing template __alert_Test: template: "
                    "__alert_Test:1: missing value for if>"},
    {"{{ query \"up\" }}", 0, ""},  // replaced below: needs a query function
};

// reReplaceAll is Go's Regexp.ReplaceAllString: expansion as regexp.Expand (a name runs as far
// as letters, digits and '_' go; a number with a leading zero is a name; no group count limit;
// a backslash is literal) and Go's rules for empty matches. Expected strings are Go's outputs.
const Case kReReplaceAllCases[] = {
    {"{{ reReplaceAll \"a(b)\" \"$1x\" \"ab\" }}", 0, ""},
    {"{{ reReplaceAll \"a(b)\" \"${1}x\" \"ab\" }}", 0, "bx"},
    {"{{ reReplaceAll \"(a)(b)\" \"$01|$2\" \"ab\" }}", 0, "|b"},
    {"{{ reReplaceAll \"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\" \"$10$1\" \"abcdefghij\" }}", 0, "ja"},
    {"{{ reReplaceAll \"a\" \"$$\\\\1\" \"xa\" }}", 0, "x$\\1"},
    {"{{ reReplaceAll \"a\" \"${99999999999}.\" \"a\" }}", 0, "."},
    {"{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}", 0, "-b-c-"},
    {"{{ reReplaceAll \"\" \"-\" \"\u00e9x\" }}", 0, "-\u00e9-x-"},
    {"{{ reReplaceAll \"^a\" \"-\" \"aaa\" }}", 0, "-aa"},
    {"{{ reReplaceAll \"(?P<w>\\\\w+)\" \"<$w>\" \"ab cd\" }}", 0, "<ab> <cd>"},
};

TEST(TemplateTest, ReReplaceAllIsGosReplaceAllString) {
  for (const auto& c : kReReplaceAllCases) EXPECT_EQ(Expand(c.text, c.value), c.want) << c.text;
}

// define/template/block as Go's text/template runs them.
const Case kDefineCases[] = {
    {"{{ define \"x\" }}X{{ end }}{{ template \"x\" }}", 0, "X"},
    {"{{ define \"who\" }}{{ .job }}{{ end }}{{ template \"who\" .Labels }}", 0, "node"},
    {"{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" \"a\" }}{{ template \"t\" 1 }}", 0, "[a][1]"},
    {"{{ block \"b\" .Labels.instance }}<{{ . }}>{{ end }}", 0, "<host:9100>"},
    {"{{ define \"d\" }}{{ $ }}{{ end }}{{ template \"d\" \"s\" }}", 0, "s"},
    {"{{ define \"nil\" }}{{ . }}{{ end }}{{ template \"nil\" }}", 0, "<no value>"},
    {"{{ template \"a\" . }}{{ define \"a\" }}A{{ template \"b\" .Value }}{{ end }}{{ define \"b\" }}B{{ . }}{{ end }}", 2, "AB2"},
    {"{{ define \"v\" }}{{ $value }}{{ end }}{{ $value := 1 }}{{ template \"v\" }}", 3, "<error expanding template"},
    {"{{ range $i, $e := .Labels }}{{ template \"e\" $e }}{{ end }}{{ define \"e\" }}({{ . }}){{ end }}", 0,
     "(host:9100)(node)(page)"},
    {"{{ template \"missing\" }}", 0, "<error expanding template"},
    {"{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" }}", 0, "<error expanding template"},
    {"{{ if true }}{{ define \"x\" }}{{ end }}{{ end }}", 0, "<error expanding template"},
    {"{{ define \"x\" }}unclosed", 0, "<error expanding template"},
    {"{{ template \"x\" }}{{ define \"x\" }}1{{ end }}{{ define \"x\" }}2{{ end }}", 0, "2"},
    {"{{ \"a b&c/d\" | urlquery }}", 0, "a+b%26c%2Fd"},
};

TEST(TemplateTest, DefineAndTemplate) {
  for (const auto& c : kDefineCases) {
    const std::string got = Expand(c.text, c.value);
    const std::string want = c.want;
    if (want.rfind("<error", 0) == 0) {
      EXPECT_EQ(got.rfind(want, 0), 0u) << c.text << " => " << got;
    } else {
      EXPECT_EQ(got, want) << c.text;
    }
  }
  EXPECT_NE(Expand("{{ template \"missing\" }}", 0).find("template \"missing\" not defined"), std::string::npos);
  EXPECT_NE(Expand("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" }}", 0)
                .find("exceeded maximum template depth"),
            std::string::npos);
}

// A text parsed against a base sees the base's named templates; its own replace them and the
// base stays unchanged.
TEST(TemplateTest, BaseTemplatesAndExecuteDefined) {
  auto base = Template::Parse("{{ define \"greet\" }}hi {{ . }}{{ end }}{{ define \"x\" }}base{{ end }}", "base");
  ASSERT_TRUE(base.ok());
  auto t = Template::Parse("{{ template \"greet\" \"bob\" }} {{ template \"x\" }}{{ define \"x\" }}own{{ end }}",
                           "field", base->get());
  ASSERT_TRUE(t.ok()) << t.status().message();
  TemplateContext ctx;
  EXPECT_EQ(*(*t)->Execute(ctx), "hi bob own");
  ctx.dot = TValue::String("ann");
  EXPECT_EQ(*(*base)->ExecuteDefined("greet", ctx), "hi ann");
  EXPECT_EQ(*(*base)->ExecuteDefined("x", ctx), "base");
  EXPECT_FALSE((*base)->ExecuteDefined("nope", ctx).ok());
  EXPECT_TRUE((*t)->Defines("greet"));
}

TEST(TemplateTest, PrometheusOutputs) {
  for (const auto& c : kCases) {
    if (std::string(c.text).find("query") != std::string::npos) continue;
    SCOPED_TRACE(c.text);
    EXPECT_EQ(Expand(c.text, c.value), c.want);
  }
}

TEST(TemplateTest, QueryRangeFirstValueLabel) {
  QueryFn q = [](std::string_view expr, Timestamp t) -> Result<query::QueryValue> {
    query::QueryValue v;
    if (expr == "fail") return Status::InvalidArgument("boom");
    v.kind = query::ValueKind::kVector;
    v.vector.push_back({Labels({{"instance", "a"}}), t, 1});
    v.vector.push_back({Labels({{"instance", "b"}}), t, 0.25});
    return v;
  };
  EXPECT_EQ(Expand("{{ range query \"up\" }}{{ .Labels.instance }}={{ .Value }} {{ end }}", 0, &q),
            "a=1 b=0.25 ");
  EXPECT_EQ(Expand("{{ with query \"up\" }}{{ . | first | value | humanizePercentage }}{{ end }}", 0, &q),
            "100%");
  EXPECT_EQ(Expand("{{ query \"up\" | first | label \"instance\" }}", 0, &q), "a");
  EXPECT_EQ(Expand("{{ range $i, $s := query \"up\" }}{{ $i }}:{{ $s.Value }} {{ end }}", 0, &q),
            "0:1 1:0.25 ");
  EXPECT_NE(Expand("{{ query \"fail\" }}", 0, &q).find("<error expanding template:"),
            std::string::npos);
  // Without a query function the template errors instead of crashing.
  EXPECT_NE(Expand("{{ query \"up\" }}", 0, nullptr).find("<error expanding template:"),
            std::string::npos);
}

TEST(TemplateTest, SyntaxCheck) {
  EXPECT_TRUE(CheckTemplateSyntax("{{ $labels.x }}", "t").ok());
  EXPECT_EQ(CheckTemplateSyntax("{{ if true }}x", "t").message(), "template: t:1: unexpected EOF");
  EXPECT_EQ(CheckTemplateSyntax("a\n{{ end }}", "t").message(), "template: t:2: unexpected {{end}}");
  EXPECT_EQ(CheckTemplateSyntax("{{ foo }}", "t").message(), "template: t:1: function \"foo\" not defined");
}

// String literals are Go's: strconv.Unquote escapes, anything else "invalid syntax" (text/template).
TEST(TemplateTest, StringLiteralsUnquoteAsGo) {
  EXPECT_EQ(Expand(R"({{ "a\tb\x41\u00e9\101\\\"" }})", 0), "a\tbA\xc3\xa9" "A\\\"");
  EXPECT_EQ(Expand(R"({{ "\a\b\f\v\r\n" }})", 0), "\a\b\f\v\r\n");
  EXPECT_EQ(Expand(R"({{ "\U0001F600" | printf "%s!" }})", 0), "\xf0\x9f\x98\x80!");
  for (const char* bad : {R"({{ "\'" }})", R"({{ "\c" }})", R"({{ "\x4" }})", R"({{ "\ud800" }})",
                          R"({{ "\400" }})"}) {
    EXPECT_EQ(CheckTemplateSyntax(bad, "t").message(), "template: t:1: invalid syntax") << bad;
  }
  EXPECT_EQ(CheckTemplateSyntax("{{ \"a\\\n\" }}", "t").message(),
            "template: t:1: unterminated quoted string");
  EXPECT_EQ(CheckTemplateSyntax("{{ \"a\\", "t").message(),
            "template: t:1: unterminated quoted string");
}

TEST(TemplateTest, GoSprintf) {
  EXPECT_EQ(GoSprintf("%d%%", {TValue::Int(5)}), "5%");
  EXPECT_EQ(GoSprintf("%s", {TValue::Float(1)}), "%!s(float64=1)");
  EXPECT_EQ(GoSprintf("%d", {}), "%!d(MISSING)");
  EXPECT_EQ(GoSprintf("%q", {TValue::String("a\"b")}), "\"a\\\"b\"");
  EXPECT_EQ(GoSprintf("%.1f", {TValue::Float(std::numeric_limits<double>::infinity())}), "+Inf");
  EXPECT_EQ(GoSprintf("%x", {TValue::Int(255)}), "ff");
  EXPECT_EQ(GoSprintf("%-4d|", {TValue::Int(7)}), "7   |");
}

TEST(TemplateTest, GoSprintfReadsWidthsAndPrecisionsAsGo) {
  // Found by template_fuzz: a long run of digits overflowed an int. Go stops reading a number
  // that grows past 1e6, and the rest of the format with it.
  EXPECT_EQ(GoSprintf("%.2f %88888888888888s|", {TValue::Float(1.5), TValue::String("x")}),
            "1.50 %!(NOVERB)%!(EXTRA string=x)");
  EXPECT_EQ(GoSprintf("%.12345678f|", {TValue::Float(1)}), "%!(NOVERB)%!(EXTRA float64=1)");
  EXPECT_EQ(GoSprintf("%1000000d", {TValue::Int(7)}).size(), 1'000'000u);
  // A '.' without digits is precision 0; a '.' that ends the format is the verb.
  EXPECT_EQ(GoSprintf("%6.f|", {TValue::Float(2.5)}), "     2|");
  EXPECT_EQ(GoSprintf("%.", {TValue::Float(1)}), "%!.(float64=1)");
}

}  // namespace
}  // namespace tidemark::alerting
