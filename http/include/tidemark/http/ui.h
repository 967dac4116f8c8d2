// The built-in web UI as http/ serves it: files embedded in the binary (tidemark_webui generates
// them at build time) and the page paths that answer with the UI's index.html.
#pragma once

#include <array>
#include <string_view>

namespace tidemark::http {

struct UiAsset {
  std::string_view path;  // relative: "index.html", "assets/main-4OEKDZKA.js"
  std::string_view content_type;
  std::string_view data;
  bool immutable = false;  // content-hashed name: cached for a year
};

// Client-side pages of the UI; each answers with index.html (as "/" does).
inline constexpr std::array<std::string_view, 8> kUiPages = {
    "/graph", "/alerts", "/rules", "/slos", "/tsdb-status", "/targets", "/flags", "/config"};

}  // namespace tidemark::http
