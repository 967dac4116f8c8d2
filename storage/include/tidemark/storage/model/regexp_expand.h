// Go's regexp.Expand template syntax ($1, ${1}, $name, ${name}, $$), shared by PromQL's
// label_replace and the relabel engine so both expand replacements identically.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace tidemark {

// Appends `tmpl` to `out` with each $reference replaced by the matching group's text: `groups[i]`
// is group i's match (group 0 the whole match; an empty view for a group that did not take part),
// `named` maps group names to indexes (RE2's NamedCapturingGroups()). As in Go, a name is the
// longest run of letters, digits and '_' (so "$1x" means "${1x}"), a number with a leading zero
// or past 1e8 is looked up as a name, an unknown group expands to "" and a malformed reference
// leaves its '$' as text.
void AppendRegexpExpand(std::string& out, std::string_view tmpl,
                        std::span<const std::string_view> groups,
                        const std::map<std::string, int>& named);

}  // namespace tidemark
