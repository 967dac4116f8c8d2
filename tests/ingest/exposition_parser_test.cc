// Table tests of the text format 0.0.4 and OpenMetrics 1.0 parser: each case is an exposition
// and the entries (or the error) Prometheus 3.x's textparse yields for it.
#include "scrape/exposition_parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest::scrape {
namespace {

// Renders every entry on its own line: `series name{a="b"} value [ts]`, `type name t`, ...
std::string Render(std::string_view body, ExpoFormat f) {
  ExpositionParser p(body, f);
  std::string out;
  std::vector<ExpoLabel> labels;
  for (;;) {
    auto e = p.Next();
    if (!e.ok()) return out + "error: " + e.status().message();
    if (*e == ExpoEntry::kEnd) return out;
    if (*e == ExpoEntry::kSeries) {
      std::string_view name;
      EXPECT_TRUE(p.Labels(&name, &labels).ok());
      out += "series " + std::string(name) + "{";
      for (size_t i = 0; i < labels.size(); ++i) {
        out += (i ? "," : "") + std::string(labels[i].name) + "=" + Quote(labels[i].value);
      }
      out += "} " + FormatFloat(p.value(), 'g', -1);
      if (p.has_timestamp()) out += " @" + std::to_string(p.timestamp_ms());
      out += " [" + std::string(p.series()) + "]\n";
    } else {
      const char* kind = *e == ExpoEntry::kType ? "type" : *e == ExpoEntry::kHelp ? "help" : "unit";
      out += std::string(kind) + " " + std::string(p.meta_metric()) + " " + Quote(p.meta_text()) + "\n";
    }
  }
}

struct Case {
  const char* name;
  ExpoFormat format;
  const char* input;
  const char* want;
};

constexpr ExpoFormat kText = ExpoFormat::kPrometheusText;
constexpr ExpoFormat kOm = ExpoFormat::kOpenMetrics;

const Case kCases[] = {
    {"text_basic", kText,
     "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 42\n",
     "help go_goroutines \"Number of goroutines.\"\ntype go_goroutines \"gauge\"\n"
     "series go_goroutines{} 42 [go_goroutines]\n"},
    {"text_labels_timestamp_blanks", kText,
     "  http_requests_total{method=\"post\",code=\"200\",} 1027 1395066363000\n"
     "http_requests_total { method = \"get\" }\t3\t\n\n",
     "series http_requests_total{method=\"post\",code=\"200\"} 1027 @1395066363000 "
     "[http_requests_total{method=\"post\",code=\"200\",}]\n"
     "series http_requests_total{method=\"get\"} 3 [http_requests_total { method = \"get\" }]\n"},
    {"text_escapes", kText,
     "# HELP m a \\\\ b \\n c \\\" d\nm{path=\"C:\\\\dir\\n\\\"x\\\"\\t\"} 1\n",
     "help m \"a \\\\ b \\n c \\\\\\\" d\"\nseries m{path=\"C:\\\\dir\\n\\\"x\\\"\\\\t\"} 1 "
     "[m{path=\"C:\\\\dir\\n\\\"x\\\"\\t\"}]\n"},
    {"text_special_values", kText, "a +Inf\nb -Inf\nc NaN\nd 1e-3\ne -0\n",
     "series a{} +Inf [a]\nseries b{} -Inf [b]\nseries c{} NaN [c]\nseries d{} 0.001 [d]\n"
     "series e{} -0 [e]\n"},
    {"text_comments_ignored", kText, "# just a comment\n#no space\n# HELPER not help\nx 1\n",
     "series x{} 1 [x]\n"},
    {"text_le_quantile_normalized", kText,
     "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\n# TYPE s summary\n"
     "s{quantile=\"0\"} 1\ns{quantile=\"0.5\"} 2\n# TYPE g gauge\ng{le=\"1\"} 1\n",
     "type h \"histogram\"\nseries h_bucket{le=\"1.0\"} 2 [h_bucket{le=\"1\"}]\n"
     "series h_bucket{le=\"+Inf\"} 3 [h_bucket{le=\"+Inf\"}]\ntype s \"summary\"\n"
     "series s{quantile=\"0.0\"} 1 [s{quantile=\"0\"}]\nseries s{quantile=\"0.5\"} 2 [s{quantile=\"0.5\"}]\n"
     "type g \"gauge\"\nseries g{le=\"1\"} 1 [g{le=\"1\"}]\n"},
    {"text_utf8_quoted_names", kText, "{\"my.metric\", \"a.b\"=\"c\"} 1\n",
     "series my.metric{a.b=\"c\"} 1 [{\"my.metric\", \"a.b\"=\"c\"}]\n"},
    {"text_no_final_newline", kText, "a 1", "series a{} 1 [a]\n"},
    {"text_bad_type", kText, "# TYPE a foo\n", "error: invalid metric type \"foo\" (line 1)"},
    {"text_bad_value", kText, "a x1\n", "error: strconv.ParseFloat: parsing \"x1\": invalid syntax (line 1)"},
    {"text_hex_float_refused", kText, "a 0x1p3\n", "error: unsupported character in float (line 1)"},
    {"text_bad_timestamp", kText, "a 1 1.5\n", "error: invalid timestamp (line 1)"},
    {"text_negative_timestamp", kText, "a 1 -5\n", "error: invalid timestamp (line 1)"},
    {"text_unterminated_labels", kText, "a{b=\"c\" 1\n", "error: expected ',' or '}' in label set (line 1)"},
    {"text_bad_label_name", kText, "a{1b=\"c\"} 1\n", "error: invalid label name (line 1)"},
    {"text_trailing_garbage", kText, "a 1 2 3\n", "error: expected a timestamp or a new record (line 1)"},
    {"text_missing_value", kText, "a\n", "error: expected a blank before the value (line 1)"},
    {"text_bad_metric_name", kText, "0a 1\n", "error: invalid metric name (line 1)"},
    {"om_basic", kOm,
     "# TYPE foo_seconds counter\n# UNIT foo_seconds seconds\n# HELP foo_seconds Time \\\"x\\\".\n"
     "foo_seconds_total{a=\"b\"} 17.5 1520879607.789\nfoo_seconds_created{a=\"b\"} 1520872607.123\n# EOF\n",
     "type foo_seconds \"counter\"\nunit foo_seconds \"seconds\"\nhelp foo_seconds \"Time \\\"x\\\".\"\n"
     "series foo_seconds_total{a=\"b\"} 17.5 @1520879607789 [foo_seconds_total{a=\"b\"}]\n"
     "series foo_seconds_created{a=\"b\"} 1.520872607123e+09 [foo_seconds_created{a=\"b\"}]\n"},
    {"om_exemplars_dropped", kOm,
     "# TYPE h histogram\nh_bucket{le=\"0.1\"} 8 # {trace_id=\"abc\"} 0.054 1520879607.7\n"
     "h_bucket{le=\"+Inf\"} 9 123 # {} 2\n# EOF",
     "type h \"histogram\"\nseries h_bucket{le=\"0.1\"} 8 [h_bucket{le=\"0.1\"}]\n"
     "series h_bucket{le=\"+Inf\"} 9 @123000 [h_bucket{le=\"+Inf\"}]\n"},
    {"om_types", kOm, "# TYPE a info\na_info{x=\"y\"} 1\n# TYPE b stateset\nb{b=\"s\"} 0\n# TYPE c unknown\nc 1\n# EOF\n",
     "type a \"info\"\nseries a_info{x=\"y\"} 1 [a_info{x=\"y\"}]\ntype b \"stateset\"\n"
     "series b{b=\"s\"} 0 [b{b=\"s\"}]\ntype c \"unknown\"\nseries c{} 1 [c]\n"},
    {"om_missing_eof", kOm, "a 1\n", "series a{} 1 [a]\nerror: data does not end with # EOF (line 1)"},
    {"om_data_after_eof", kOm, "# EOF\na 1\n", "error: unexpected data after # EOF (line 2)"},
    {"om_untyped_refused", kOm, "# TYPE a untyped\n# EOF\n", "error: invalid metric type \"untyped\" (line 1)"},
    {"om_double_space", kOm, "a  1\n# EOF\n", "error: expected a value (line 1)"},
    {"om_unit_not_suffix", kOm, "# UNIT foo seconds\n# EOF\n",
     "error: unit \"seconds\" not a suffix of metric \"foo\" (line 1)"},
    {"om_plain_comment_refused", kOm, "# hello\n# EOF\n",
     "error: invalid comment: only HELP, TYPE, UNIT and EOF are allowed (line 1)"},
    {"om_blank_line_refused", kOm, "a 1\n\n# EOF\n",
     "series a{} 1 [a]\nerror: blank lines are not allowed in OpenMetrics (line 2)"},
    {"om_nan_timestamp", kOm, "a 1 NaN\n# EOF\n", "error: invalid timestamp (line 1)"},
    // A fuzzer finding: the int64 conversion of a timestamp this large was undefined.
    {"om_huge_timestamp", kOm, "a 1 4.4e45\n# EOF\n", "error: invalid timestamp (line 1)"},
    {"om_huge_negative_timestamp", kOm, "a 1 -1e17\n# EOF\n", "error: invalid timestamp (line 1)"},
    {"om_text_timestamp_is_seconds", kOm, "a 1 1.5\n# EOF\n", "series a{} 1 @1500 [a]\n"},
};

class ExpositionParserTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExpositionParserTest, Entries) {
  const Case& c = GetParam();
  EXPECT_EQ(Render(c.input, c.format), c.want) << c.input;
}

INSTANTIATE_TEST_SUITE_P(Cases, ExpositionParserTest, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace tidemark::ingest::scrape
