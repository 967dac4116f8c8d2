// The web UI's files, embedded in the binary at build time (web/build.mjs generates the source).
#pragma once

#include <span>

#include "tidemark/http/ui.h"

namespace tidemark::webui {

// Every file of the bundled UI: index.html and the content-hashed assets/*. Empty when the build
// has no UI (TM_WEB_UI=OFF).
std::span<const http::UiAsset> EmbeddedAssets();

}  // namespace tidemark::webui
