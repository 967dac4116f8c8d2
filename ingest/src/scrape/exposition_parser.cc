// ExpositionParser (see exposition_parser.h). The token rules are those of Prometheus' promlex.l
// (text: blanks are spaces and tabs, anywhere between tokens) and openmetricslex.l (OpenMetrics:
// exactly one space, `# EOF` last).
#include "exposition_parser.h"

#include <cmath>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::ingest::scrape {

namespace {

bool IsNameStart(char c, bool metric) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
}
bool IsNameChar(char c, bool metric) { return IsNameStart(c, metric) || (c >= '0' && c <= '9'); }

// Prometheus' parseFloat: Go's ParseFloat without the newer hex/underscore forms.
Result<double> ParseExpoFloat(std::string_view s) {
  if (s.find_first_of("pP_") != std::string_view::npos) {
    return Status::InvalidArgument("unsupported character in float");
  }
  return ParseFloat(s);
}

// labels.FormatOpenMetricsFloat: Go's %g with ".0" added when there is neither '.' nor 'e'.
std::string FormatOpenMetricsFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  std::string s = FormatFloat(f, 'g', -1);
  if (s.find_first_of("e.") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

ExpositionParser::ExpositionParser(std::string_view body, ExpoFormat format)
    : body_(body), format_(format) {}

Status ExpositionParser::Error(std::string_view what) const {
  return Status::InvalidArgument(std::string(what) + " (line " + std::to_string(line_) + ")");
}

void ExpositionParser::SkipBlanks() {
  if (format_ != ExpoFormat::kPrometheusText) return;
  while (pos_ < body_.size() && (body_[pos_] == ' ' || body_[pos_] == '\t')) ++pos_;
}

std::string_view ExpositionParser::Token() {
  const size_t start = pos_;
  while (pos_ < body_.size() && body_[pos_] != ' ' && body_[pos_] != '\t' && body_[pos_] != '\n') ++pos_;
  return body_.substr(start, pos_ - start);
}

Result<std::string_view> ExpositionParser::ScanQuoted() {
  if (pos_ >= body_.size() || body_[pos_] != '"') return Error("expected a quoted string");
  const size_t start = ++pos_;
  while (pos_ < body_.size()) {
    const char c = body_[pos_];
    if (c == '"') {
      std::string_view raw = body_.substr(start, pos_ - start);
      ++pos_;
      return raw;
    }
    if (c == '\n') break;
    pos_ += c == '\\' ? 2 : 1;
  }
  return Error("unterminated quoted string");
}

std::string_view ExpositionParser::Unescape(std::string_view raw, bool label_value) {
  if (raw.find('\\') == std::string_view::npos) return raw;
  if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
  std::string& out = scratch_[scratch_used_++];
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    const char n = raw[i + 1];
    // Only these escapes exist (HELP text of the text format has no \"); others stay as written.
    if (n == '\\' || n == 'n' || (n == '"' && (label_value || format_ == ExpoFormat::kOpenMetrics))) {
      out += n == 'n' ? '\n' : n;
      ++i;
    } else {
      out += '\\';
    }
  }
  return out;
}

Result<ExpoEntry> ExpositionParser::Next() {
  scratch_used_ = 0;
  const bool om = format_ == ExpoFormat::kOpenMetrics;
  for (;;) {
    if (pos_ >= body_.size()) {
      if (om && !saw_eof_) return Error("data does not end with # EOF");
      return ExpoEntry::kEnd;
    }
    ++line_;
    if (saw_eof_) return Error("unexpected data after # EOF");
    SkipBlanks();
    if (pos_ >= body_.size()) continue;
    if (body_[pos_] == '\n') {
      if (om) return Error("blank lines are not allowed in OpenMetrics");
      ++pos_;
      continue;
    }
    if (body_[pos_] == '#') {
      TM_ASSIGN_OR_RETURN(ExpoEntry e, ParseComment());
      if (e == ExpoEntry::kEnd) continue;  // a plain comment, or # EOF
      return e;
    }
    TM_RETURN_IF_ERROR(ParseSeriesLine());
    return ExpoEntry::kSeries;
  }
}

Result<ExpoEntry> ExpositionParser::ParseComment() {
  const bool om = format_ == ExpoFormat::kOpenMetrics;
  ++pos_;  // '#'
  auto skip_line = [this] {
    while (pos_ < body_.size() && body_[pos_] != '\n') ++pos_;
    if (pos_ < body_.size()) ++pos_;
  };
  if (om) {
    if (pos_ >= body_.size() || body_[pos_] != ' ') return Error("invalid comment: '#' must be followed by a space");
    ++pos_;
  } else {
    if (pos_ >= body_.size() || (body_[pos_] != ' ' && body_[pos_] != '\t')) {
      skip_line();
      return ExpoEntry::kEnd;
    }
    SkipBlanks();
  }
  std::string_view rest = body_.substr(pos_);
  ExpoEntry kind;
  if (rest.starts_with("HELP")) {
    kind = ExpoEntry::kHelp;
  } else if (rest.starts_with("TYPE")) {
    kind = ExpoEntry::kType;
  } else if (om && rest.starts_with("UNIT")) {
    kind = ExpoEntry::kUnit;
  } else if (om && rest.starts_with("EOF") && (rest.size() == 3 || rest[3] == '\n')) {
    saw_eof_ = true;
    pos_ += rest.size() == 3 ? 3 : 4;
    if (pos_ < body_.size()) {
      ++line_;
      return Error("unexpected data after # EOF");
    }
    return ExpoEntry::kEnd;
  } else {
    if (om) return Error("invalid comment: only HELP, TYPE, UNIT and EOF are allowed");
    skip_line();
    return ExpoEntry::kEnd;
  }
  const char sep = rest.size() > 4 ? rest[4] : '\n';
  if (sep != ' ' && !(sep == '\t' && !om)) {
    if (om) return Error("invalid " + std::string(rest.substr(0, 4)) + " line");
    skip_line();  // "# HELPER ..." is a comment in the text format
    return ExpoEntry::kEnd;
  }
  pos_ += 5;
  SkipBlanks();
  // The metric family: a name or a quoted (UTF-8) name.
  if (pos_ < body_.size() && body_[pos_] == '"') {
    TM_ASSIGN_OR_RETURN(std::string_view raw, ScanQuoted());
    meta_metric_ = Unescape(raw, true);
  } else {
    const size_t start = pos_;
    if (pos_ >= body_.size() || !IsNameStart(body_[pos_], true)) return Error("invalid metric name in comment");
    while (pos_ < body_.size() && IsNameChar(body_[pos_], true)) ++pos_;
    meta_metric_ = body_.substr(start, pos_ - start);
  }
  // The text: after one space (OpenMetrics) or any blanks (text format), up to the newline.
  if (pos_ < body_.size() && body_[pos_] != '\n') {
    if (body_[pos_] != ' ' && body_[pos_] != '\t') return Error("expected a space after the metric name");
    if (om) ++pos_; else SkipBlanks();
  }
  const size_t tstart = pos_;
  while (pos_ < body_.size() && body_[pos_] != '\n') ++pos_;
  std::string_view text = body_.substr(tstart, pos_ - tstart);
  if (pos_ < body_.size()) ++pos_;
  switch (kind) {
    case ExpoEntry::kHelp:
      meta_text_ = Unescape(text, false);
      break;
    case ExpoEntry::kType: {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
      static constexpr std::string_view kText[] = {"counter", "gauge", "histogram", "summary", "untyped"};
      static constexpr std::string_view kOm[] = {"counter", "gauge", "histogram", "gaugehistogram",
                                                 "summary", "info", "stateset", "unknown"};
      bool known = false;
      if (om) {
        for (auto t : kOm) known = known || t == text;
      } else {
        for (auto t : kText) known = known || t == text;
      }
      if (!known) return Error("invalid metric type \"" + std::string(text) + "\"");
      meta_text_ = text;
      kind_ = text == "histogram" ? Kind::kHistogram
              : text == "gaugehistogram" ? Kind::kGaugeHistogram
              : text == "summary" ? Kind::kSummary : Kind::kOther;
      break;
    }
    default:  // kUnit
      if (!text.empty() && (!meta_metric_.ends_with(text) || meta_metric_.size() < text.size() + 1 ||
                            meta_metric_[meta_metric_.size() - text.size() - 1] != '_')) {
        return Error("unit \"" + std::string(text) + "\" not a suffix of metric \"" +
                     std::string(meta_metric_) + "\"");
      }
      meta_text_ = text;
  }
  return kind;
}

Status ExpositionParser::ScanSeries() {
  const size_t start = pos_;
  if (body_[pos_] != '{') {
    if (!IsNameStart(body_[pos_], true)) return Error("invalid metric name");
    while (pos_ < body_.size() && IsNameChar(body_[pos_], true)) ++pos_;
    // The text format allows blanks between the name and its labels.
    const size_t name_end = pos_;
    SkipBlanks();
    if (pos_ >= body_.size() || body_[pos_] != '{') pos_ = name_end;
  }
  if (pos_ < body_.size() && body_[pos_] == '{') {
    ++pos_;
    bool named = start != pos_ - 1;
    for (;;) {
      SkipBlanks();
      if (pos_ >= body_.size()) return Error("unterminated label set");
      if (body_[pos_] == '}') break;
      bool quoted = body_[pos_] == '"';
      if (quoted) {
        TM_ASSIGN_OR_RETURN(std::string_view raw, ScanQuoted());
        if (raw.empty()) return Error("empty quoted name");
      } else {
        if (!IsNameStart(body_[pos_], false)) return Error("invalid label name");
        while (pos_ < body_.size() && IsNameChar(body_[pos_], false)) ++pos_;
      }
      SkipBlanks();
      if (quoted && pos_ < body_.size() && (body_[pos_] == ',' || body_[pos_] == '}')) {
        if (named) return Error("metric name given twice");
        named = true;  // {"utf8.metric", ...}
      } else {
        if (pos_ >= body_.size() || body_[pos_] != '=') return Error("expected '=' after label name");
        ++pos_;
        SkipBlanks();
        TM_RETURN_IF_ERROR(ScanQuoted().status());
        SkipBlanks();
      }
      if (pos_ < body_.size() && body_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < body_.size() && body_[pos_] == '}') break;
      return Error("expected ',' or '}' in label set");
    }
    ++pos_;  // '}'
    if (!named) return Error("series without a metric name");
  }
  series_ = body_.substr(start, pos_ - start);
  return Status::OK();
}

Status ExpositionParser::ParseSeriesLine() {
  const bool om = format_ == ExpoFormat::kOpenMetrics;
  TM_RETURN_IF_ERROR(ScanSeries());
  // Value.
  if (om) {
    if (pos_ >= body_.size() || body_[pos_] != ' ') return Error("expected a space before the value");
    ++pos_;
  } else {
    if (series_.back() != '}' && (pos_ >= body_.size() || (body_[pos_] != ' ' && body_[pos_] != '\t'))) {
      return Error("expected a blank before the value");
    }
    SkipBlanks();
  }
  std::string_view v = Token();
  if (v.empty()) return Error("expected a value");
  if (!om && v.find('{') != std::string_view::npos) return Error("invalid value");
  auto parsed = ParseExpoFloat(v);
  if (!parsed.ok()) return Error(parsed.status().message());
  value_ = *parsed;
  has_ts_ = false;
  // Timestamp.
  if (om) {
    if (pos_ < body_.size() && body_[pos_] == ' ' && !body_.substr(pos_).starts_with(" # {")) {
      ++pos_;
      std::string_view t = Token();
      auto ts = ParseExpoFloat(t);
      // Beyond ±2^63 ms the conversion to int64 is undefined (Go's yields an arbitrary value).
      if (!ts.ok() || !(std::fabs(*ts * 1000) < 0x1p63)) return Error("invalid timestamp");
      ts_ms_ = static_cast<int64_t>(*ts * 1000);
      has_ts_ = true;
    }
    if (body_.substr(pos_).starts_with(" # {")) {
      pos_ += 3;
      TM_RETURN_IF_ERROR(ParseExemplar());
    }
  } else {
    SkipBlanks();
    if (!AtLineEnd()) {
      std::string_view t = Token();
      for (char c : t) {
        if (c < '0' || c > '9') return Error("invalid timestamp");
      }
      auto ts = ParseInt(t, 10);
      if (!ts.ok()) return Error("invalid timestamp");
      ts_ms_ = *ts;
      has_ts_ = true;
      SkipBlanks();
    }
  }
  if (!AtLineEnd()) return Error("expected a timestamp or a new record");
  if (pos_ < body_.size()) ++pos_;
  return Status::OK();
}

Status ExpositionParser::ParseExemplar() {
  // At '{': a label set, one space, a value, optionally one space and a timestamp. Checked, then
  // dropped: Prometheus stores exemplars only with its exemplar storage enabled (off by default).
  ++pos_;
  for (;;) {
    if (pos_ >= body_.size()) return Error("unterminated exemplar");
    if (body_[pos_] == '}') break;
    if (!IsNameStart(body_[pos_], false) && body_[pos_] != '"') return Error("invalid exemplar label name");
    if (body_[pos_] == '"') {
      TM_RETURN_IF_ERROR(ScanQuoted().status());
    } else {
      while (pos_ < body_.size() && IsNameChar(body_[pos_], false)) ++pos_;
    }
    if (pos_ >= body_.size() || body_[pos_] != '=') return Error("expected '=' in exemplar");
    ++pos_;
    TM_RETURN_IF_ERROR(ScanQuoted().status());
    if (pos_ < body_.size() && body_[pos_] == ',') ++pos_;
  }
  ++pos_;
  if (pos_ >= body_.size() || body_[pos_] != ' ') return Error("expected exemplar value");
  ++pos_;
  if (!ParseExpoFloat(Token()).ok()) return Error("invalid exemplar value");
  if (pos_ < body_.size() && body_[pos_] == ' ') {
    ++pos_;
    auto ts = ParseExpoFloat(Token());
    if (!ts.ok() || std::isnan(*ts) || std::isinf(*ts)) return Error("invalid exemplar timestamp");
  }
  return Status::OK();
}

Status ExpositionParser::Labels(std::string_view* name, std::vector<ExpoLabel>* labels) {
  labels->clear();
  *name = {};
  std::string_view s = series_;
  size_t i = 0;
  if (s[0] != '{') {
    while (i < s.size() && IsNameChar(s[i], true)) ++i;
    *name = s.substr(0, i);
    while (i < s.size() && s[i] != '{') ++i;
  }
  if (i == s.size()) return Status::OK();
  ++i;  // '{'
  auto skip = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  auto quoted = [&](std::string_view* raw) {
    const size_t b = ++i;
    while (s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    *raw = s.substr(b, i - b);
    ++i;
  };
  // ScanSeries has checked the syntax; this only cuts the pieces out.
  for (;;) {
    skip();
    if (s[i] == '}') break;
    std::string_view lname;
    if (s[i] == '"') {
      quoted(&lname);
      lname = Unescape(lname, true);
    } else {
      const size_t b = i;
      while (IsNameChar(s[i], false)) ++i;
      lname = s.substr(b, i - b);
    }
    skip();
    if (s[i] != '=') {
      *name = lname;
    } else {
      ++i;
      skip();
      std::string_view raw;
      quoted(&raw);
      std::string_view value = Unescape(raw, true);
      if ((kind_ == Kind::kHistogram && lname == "le") || (kind_ == Kind::kSummary && lname == "quantile")) {
        auto f = ParseFloat(value);
        if (f.ok()) {
          if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
          scratch_[scratch_used_] = FormatOpenMetricsFloat(*f);
          value = scratch_[scratch_used_++];
        }
      }
      labels->push_back({lname, value});
      skip();
    }
    if (s[i] == ',') ++i;
  }
  return Status::OK();
}

}  // namespace tidemark::ingest::scrape
