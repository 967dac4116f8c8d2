// Go renderings promtool's unit-test messages are made of: labels.Labels.String(),
// time.Duration.String() and promtool's indentLines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/storage/model/labels.h"

namespace tidemark::alerting::ruletest {

// `{__name__="up", job="a"}`: every label, values quoted as Go's strconv.Quote.
std::string GoLabels(const Labels& labels);
// Go's time.Duration.String() of a millisecond count: "0s", "500ms", "1m30s", "2h0m0s".
std::string GoDuration(int64_t ms);
// Prefixes every line but the first with `indent`.
std::string IndentLines(std::string_view text, std::string_view indent);

}  // namespace tidemark::alerting::ruletest
