// Replaces a small state file so that a crash (kill -9, power loss) leaves either the old or the
// new content, never a torn one.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

// Writes `content` to `path`.tmp, fsyncs it, renames it over `path`, and fsyncs the directory.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace tidemark::alerting
