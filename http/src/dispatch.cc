// Request preparation, handler invocation and response building.
#include "dispatch.h"

#include <exception>

#include "tidemark/http/format.h"
#include "tidemark/http/gzip.h"
#include "tidemark/storage/model/gzip.h"

namespace tidemark::http {

namespace bhttp = boost::beast::http;

std::string ErrorBodyForLimit(size_t limit) {
  return ErrorJson("bad_data",
                   "request body too large (limit " + std::to_string(limit) + " bytes)");
}

namespace {

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Serving under a route prefix, as Prometheus: "/prefix/x" is routed as "/x", the prefix itself
// is redirected to "/prefix/", and anything else is not ours (404).
std::optional<HttpResponse> StripRoutePrefix(const std::string& prefix, HttpRequest& r) {
  if (prefix.empty()) return std::nullopt;
  if (r.path.starts_with(prefix) && r.path.size() > prefix.size() && r.path[prefix.size()] == '/') {
    r.path.erase(0, prefix.size());
    return std::nullopt;
  }
  if (r.path == prefix) {
    HttpResponse redirect = TextResponse(302, "");
    redirect.headers.emplace_back("Location", prefix + "/");
    return redirect;
  }
  return TextResponse(404, "404 page not found\n");
}

}  // namespace

PreparedRequest Dispatcher::Prepare(bhttp::request<bhttp::string_body>&& breq,
                                    const std::string& remote) const {
  PreparedRequest p;
  p.start = std::chrono::steady_clock::now();
  p.version = breq.version();
  HttpRequest& r = p.req;
  r.method = std::string(breq.method_string());
  r.target = std::string(breq.target());
  r.remote = remote;
  for (const auto& f : breq) {
    r.headers.emplace_back(Lower(std::string(f.name_string())), std::string(f.value()));
  }
  p.accepts_gzip = AcceptsGzip(r.Header("accept-encoding"));
  size_t q = r.target.find('?');
  r.path = UrlDecode(std::string_view(r.target).substr(0, q), false);
  if (q != std::string::npos) ParseUrlEncoded(std::string_view(r.target).substr(q + 1), r.params);
  r.body = std::move(breq.body());

  if (std::optional<HttpResponse> outside = StripRoutePrefix(options_.route_prefix, r)) {
    p.early = std::move(outside);
    return p;
  }
  auto m = router_.Match(r.method, r.path, &p.route, r.path_vars);
  if (m == Router::MatchResult::kNotFound) {
    p.early = TextResponse(404, "404 page not found\n");
    return p;
  }
  if (m == Router::MatchResult::kMethodNotAllowed) {
    p.early = TextResponse(405, "Method Not Allowed\n");
    return p;
  }
  p.pool = p.route->pool;
  if (!p.route->raw_body) {
    std::string_view enc = r.Header("content-encoding");
    if (enc == "gzip" || enc == "x-gzip") {
      std::string dec;
      Status st = GzipDecompress(r.body, options_.max_decompressed_body_bytes, &dec);
      if (!st.ok()) {
        HttpResponse e;
        e.status = st.code() == StatusCode::kResourceExhausted ? 413 : 400;
        e.body = ErrorJson("bad_data", st.message());
        p.early = std::move(e);
        p.pool = Pool::kInline;
        return p;
      }
      r.body = std::move(dec);
    } else if (!enc.empty() && enc != "identity") {
      HttpResponse e;
      e.status = 415;
      e.body = ErrorJson("bad_data", "unsupported Content-Encoding \"" + std::string(enc) + "\"");
      p.early = std::move(e);
      p.pool = Pool::kInline;
      return p;
    }
    if (r.method == "POST" &&
        Lower(r.Header("content-type")).starts_with("application/x-www-form-urlencoded")) {
      ParseUrlEncoded(r.body, r.params);
    }
  }
  return p;
}

HttpResponse Dispatcher::Invoke(PreparedRequest& p) const {
  if (p.early) return *p.early;
  try {
    return p.route->handler(p.req);
  } catch (const std::exception& e) {
    logger_->Error("handler threw", {{"path", p.req.path}, {"err", e.what()}});
    HttpResponse r;
    r.status = 500;
    r.body = ErrorJson("internal", std::string("internal error: ") + e.what());
    return r;
  } catch (...) {
    logger_->Error("handler threw", {{"path", p.req.path}});
    HttpResponse r;
    r.status = 500;
    r.body = ErrorJson("internal", "internal error");
    return r;
  }
}

std::shared_ptr<bhttp::response<bhttp::string_body>> Dispatcher::Run(PreparedRequest& p) const {
  HttpResponse r = Invoke(p);
  std::string handler = p.route ? p.route->name : "other";
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.start).count();
  std::string code = std::to_string(r.status);
  if (metrics_) {
    metrics_->GetCounter("tidemark_http_requests_total", "HTTP requests by handler and status code.",
                         {"handler", "code"}, {handler, code})->Inc();
    metrics_->GetHistogram("tidemark_http_request_duration_seconds",
                           "HTTP request latency by handler.", DefaultLatencyBuckets(),
                           {"handler"}, {handler})->Observe(secs);
    // Prometheus' own names, labels (handler = the route's path pattern) and buckets, so its
    // dashboards work unchanged.
    const std::string path = p.route ? p.route->pattern : "other";
    metrics_->GetCounter("prometheus_http_requests_total",
                         "Counter of HTTP requests.", {"code", "handler"}, {code, path})->Inc();
    metrics_->GetHistogram("prometheus_http_request_duration_seconds",
                           "Histogram of latencies for HTTP requests.",
                           {0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120}, {"handler"}, {path})
        ->Observe(secs);
  }
  if (r.status >= 500 || (r.status >= 400 && logger_->Enabled(LogLevel::kInfo))) {
    std::string err = r.body.size() > 300 ? r.body.substr(0, 300) : r.body;
    logger_->Log(r.status >= 500 ? LogLevel::kError : LogLevel::kInfo, "request failed",
                 {{"method", p.req.method}, {"path", p.req.path}, {"status", code},
                  {"remote", p.req.remote}, {"err", err}});
  } else {
    logger_->Debug("request", {{"method", p.req.method}, {"path", p.req.path}, {"status", code}});
  }

  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(r.status), p.version);
  res->set(bhttp::field::server, options_.server_name);
  if (!r.content_type.empty()) res->set(bhttp::field::content_type, r.content_type);
  for (const auto& [k, v] : p.web_headers) res->set(k, v);
  bool has_encoding = false;
  for (const auto& [k, v] : r.headers) {
    res->set(k, v);
    if (Lower(k) == "content-encoding") has_encoding = true;
  }
  if (p.accepts_gzip && !has_encoding && r.body.size() >= options_.min_gzip_bytes) {
    res->body() = GzipCompress(r.body);
    res->set(bhttp::field::content_encoding, "gzip");
    res->set(bhttp::field::vary, "Accept-Encoding");
  } else {
    res->body() = std::move(r.body);
  }
  if (p.req.method == "HEAD") {  // headers as for GET, no body
    size_t n = res->body().size();
    res->body().clear();
    res->content_length(n);
    return res;
  }
  res->prepare_payload();
  return res;
}

}  // namespace tidemark::http
