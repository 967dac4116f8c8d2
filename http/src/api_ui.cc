// The built-in web UI's routes: index.html at "/" and at every page path, the hashed bundles under
// /assets/ with long cache lifetimes. They pass through the same auth as the API (the server checks
// --web.config.file before routing) and get gzip from the dispatcher like any response.
#include "api_common.h"

namespace tidemark::http::api {

namespace {

HttpResponse NotFound(std::string_view what) {
  HttpResponse r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(what);
  return r;
}

HttpResponse Serve(const UiAsset& a) {
  HttpResponse r;
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.data);
  // index.html names the current bundles, so it is revalidated; the bundles never change.
  r.headers.emplace_back("Cache-Control", a.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

const UiAsset* Find(std::span<const UiAsset> assets, std::string_view path) {
  for (const UiAsset& a : assets) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace

void RegisterUiRoutes(Router& router, std::shared_ptr<Context> ctx) {
  std::span<const UiAsset> assets = ctx->b.ui_assets;
  const UiAsset* index = Find(assets, "index.html");
  auto page = [index](HttpRequest&) {
    if (index == nullptr) {
      return NotFound("404 page not found: this binary was built without the web UI (TM_WEB_UI=OFF)\n");
    }
    return Serve(*index);
  };
  router.Add({{"GET", "HEAD"}, "/", "ui", Pool::kInline, false, page});
  for (std::string_view p : kUiPages) {
    router.Add({{"GET", "HEAD"}, std::string(p), "ui", Pool::kInline, false, page});
  }
  router.Add({{"GET", "HEAD"}, "/assets/:file", "ui_assets", Pool::kInline, false,
              [assets](HttpRequest& r) {
                const UiAsset* a = Find(assets, "assets/" + r.path_vars["file"]);
                return a ? Serve(*a) : NotFound("404 page not found\n");
              }});
}

}  // namespace tidemark::http::api
