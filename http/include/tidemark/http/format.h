// JSON rendering exactly as Prometheus' HTTP API renders values, timestamps and query results.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/query/engine.h"
#include "tidemark/storage/model/labels.h"
#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/strconv.h"

namespace tidemark::http {

// Sample value as Prometheus writes it inside JSON strings: Go's strconv 'f' with shortest
// round-trip precision (1e6 -> "1000000"), 'e' below 1e-6 and from 1e21 on (1e-7 -> "1e-07"),
// "NaN", "+Inf", "-Inf".
std::string FormatSampleValue(double v);
// Milliseconds as float seconds: 1700000000123 -> "1700000000.123", 1000 -> "1",
// 1500 -> "1.500" (Prometheus writes the three fraction digits when the fraction is non-zero).
std::string FormatTimestamp(Timestamp ms);
// Shortest round-trip text in fixed or exponent form, whichever is shorter ("30", "0.5",
// "1e-05"): the number fields of /api/v1/rules.
std::string FormatShortestFloat(double v);
// UTC RFC 3339 as Go's RFC3339Nano prints millisecond times: "2026-12-06T08:00:00Z",
// "2026-12-06T08:00:00.25Z" (trailing fraction zeros dropped).
using tidemark::FormatRfc3339;

// Appends `s` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view s);
// {"a":"b",...} in label order (sorted by name, like Go's map marshalling).
void AppendLabelsJson(std::string& out, const Labels& labels);
// [ts,"value"]
void AppendPointJson(std::string& out, Timestamp t, double v);

// The "data" object of a query response: {"resultType":...,"result":...}.
std::string QueryDataJson(const query::QueryValue& value);

// Whole-response envelopes.
std::string SuccessJson(std::string_view data_json, const std::vector<std::string>& warnings = {});
std::string ErrorJson(std::string_view error_type, std::string_view message);

}  // namespace tidemark::http
