// The e-mail message Alertmanager sends: templated headers (Q-encoded), Message-Id, Date, and a
// multipart/alternative body; plus the email_configs parser with global smtp_* defaults.
#include "notify/email.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace tidemark::alerting {
namespace {

bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

// The content of Alertmanager's email.default.html (alert count, link, firing and resolved
// alerts with labels, annotations and source), without its stylesheet.
std::string DefaultHtml(const Notification& n) {
  std::string h = "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n<title>" +
                  HtmlEscape(DefaultSubject(n)) + "</title>\n</head>\n<body>\n<p>" + std::to_string(n.alerts.size()) +
                  " alert" + (n.alerts.size() > 1 ? "s" : "") + " for";
  for (const auto& l : n.group_labels) h += " " + HtmlEscape(l.name) + "=" + HtmlEscape(l.value);
  h += "</p>\n<p><a href=\"" + HtmlEscape(AlertmanagerUrl(n)) + "\">View in Alertmanager</a></p>\n";
  const size_t firing = n.NumFiring();
  for (bool want_firing : {true, false}) {
    const size_t count = want_firing ? firing : n.alerts.size() - firing;
    if (count == 0) continue;
    if (!want_firing && firing > 0) h += "<hr />\n";
    h += "<p><strong>[" + std::to_string(count) + "] " + (want_firing ? "Firing" : "Resolved") + "</strong></p>\n";
    for (size_t i = 0; i < n.alerts.size(); ++i) {
      if (n.resolved[i] == want_firing) continue;
      const NotifyAlert& a = *n.alerts[i];
      h += "<p><strong>Labels</strong><br />\n";
      for (const auto& l : a.labels) h += HtmlEscape(l.name) + " = " + HtmlEscape(l.value) + "<br />\n";
      if (!a.annotations.empty()) h += "<strong>Annotations</strong><br />\n";
      for (const auto& l : a.annotations) h += HtmlEscape(l.name) + " = " + HtmlEscape(l.value) + "<br />\n";
      h += "<a href=\"" + HtmlEscape(a.generator_url) + "\">Source</a></p>\n";
    }
  }
  return h + "</body>\n</html>\n";
}

// textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type".
std::string CanonicalHeader(std::string k) {
  bool upper = true;
  for (auto& ch : k) {
    ch = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(ch)) : std::tolower(static_cast<unsigned char>(ch)));
    upper = ch == '-';
  }
  return k;
}

// "Mon, 02 Jan 2006 15:04:05 +0000" (Go's time.RFC1123Z, in UTC).
std::string FormatRfc1123Z(Timestamp ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&secs, &t);
  char b[64];
  std::strftime(b, sizeof(b), "%a, %d %b %Y %H:%M:%S +0000", &t);
  return b;
}

std::string RandomHex(std::mt19937_64& rng) {
  char b[20];
  std::snprintf(b, sizeof(b), "%016llx", static_cast<unsigned long long>(rng()));
  return b;
}

}  // namespace

std::string QEncodeHeader(const std::string& s) {
  bool needs = false;
  for (unsigned char ch : s) needs |= !((ch >= ' ' && ch <= '~') || ch == '\t');
  if (!needs) return s;
  // Encoded-words of at most 75 characters, never splitting a UTF-8 sequence (RFC 2047).
  const std::string prefix = "=?utf-8?q?", suffix = "?=";
  std::string out, word;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    const unsigned char lead = static_cast<unsigned char>(s[i]);
    if (lead >= 0xF0) len = 4; else if (lead >= 0xE0) len = 3; else if (lead >= 0xC0) len = 2;
    std::string enc;
    for (size_t k = i; k < std::min(s.size(), i + len); ++k) {
      const unsigned char ch = static_cast<unsigned char>(s[k]);
      if (ch == ' ') {
        enc += '_';
      } else if (ch > ' ' && ch <= '~' && ch != '=' && ch != '?' && ch != '_') {
        enc += static_cast<char>(ch);
      } else {
        char b[4];
        std::snprintf(b, sizeof(b), "=%02X", ch);
        enc += b;
      }
    }
    if (!word.empty() && prefix.size() + word.size() + enc.size() + suffix.size() > 75) {
      out += (out.empty() ? "" : " ") + prefix + word + suffix;
      word.clear();
    }
    word += enc;
    i += len;
  }
  return out + (out.empty() ? "" : " ") + prefix + word + suffix;
}

std::string QuotedPrintable(const std::string& s) {
  std::string out;
  size_t col = 0;
  auto put = [&](const std::string& tok) {
    if (col + tok.size() > 75) {
      out += "=\r\n";
      col = 0;
    }
    out += tok;
    col += tok.size();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    if (ch == '\n') {
      out += "\r\n";
      col = 0;
      continue;
    }
    // Whitespace before a line end (or at the end) would be lost in transit: encode it.
    const bool at_eol = i + 1 == s.size() || s[i + 1] == '\n' || s[i + 1] == '\r';
    if ((ch >= '!' && ch <= '~' && ch != '=') || ((ch == ' ' || ch == '\t') && !at_eol)) {
      put(std::string(1, static_cast<char>(ch)));
    } else {
      char b[4];
      std::snprintf(b, sizeof(b), "=%02X", ch);
      put(b);
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseAddressList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  int angle = 0;
  auto finish = [&]() -> Status {
    std::string a = Trim(cur);
    cur.clear();
    if (a.empty()) return Status::InvalidArgument("mail: no address");
    if (size_t lt = a.rfind('<'); lt != std::string::npos) {
      const size_t gt = a.find('>', lt);
      if (gt == std::string::npos) return Status::InvalidArgument("mail: unclosed angle-addr");
      a = a.substr(lt + 1, gt - lt - 1);
    }
    const size_t at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.size() ||
        a.find_first_of(" \t\"<>,") != std::string::npos) {
      return Status::InvalidArgument("mail: missing @ in addr-spec");
    }
    // The address goes into SMTP's RCPT TO/MAIL FROM as is: a CR or LF (say from a label value
    // in a `to` template) would start a command of the sender's choosing. net/mail refuses them.
    for (unsigned char ch : a) {
      if (ch < 0x20 || ch == 0x7f) return Status::InvalidArgument("mail: invalid character in addr-spec");
    }
    out.push_back(a);
    return Status::OK();
  };
  for (char ch : s) {
    if (ch == '"') quoted = !quoted;
    if (!quoted && ch == '<') ++angle;
    if (!quoted && ch == '>') --angle;
    if (ch == ',' && !quoted && angle == 0) {
      TM_RETURN_IF_ERROR(finish());
      continue;
    }
    cur += ch;
  }
  TM_RETURN_IF_ERROR(finish());
  return out;
}

std::string EmailIntegration::Render(const Notification& n) const {
  const TValue data = TemplateData(n);
  auto tmpl = [&](const std::string& t) { return Expand(t, data, n); };
  auto from = ParseAddressList(tmpl(c_.from));
  auto to = ParseAddressList(tmpl(c_.to));
  Status bad;
  if (!from.ok()) {
    bad = Status::InvalidArgument("parse 'from' addresses: " + from.status().message());
  } else if (from->size() != 1) {
    bad = Status::InvalidArgument("must be exactly one 'from' address (got: " + std::to_string(from->size()) + ")");
  } else if (!to.ok()) {
    bad = Status::InvalidArgument("parse 'to' addresses: " + to.status().message());
  }
  std::string msg;
  for (const auto& [name, t] : c_.headers) {
    std::string v = name == "Subject" && c_.default_subject ? DefaultSubject(n) : tmpl(t);
    if (name == "Subject") v = TestMarked(n, std::move(v));
    msg += name + ": " + QEncodeHeader(v) + "\r\n";
  }
  std::mt19937_64 rng(static_cast<uint64_t>(n.now) * 1'000'003ULL ^ std::random_device{}());
  if (c_.headers.count("Message-Id") == 0) {
    msg += "Message-Id: <" + std::to_string(n.now) + "." + RandomHex(rng) + "@" + c_.hostname + ">\r\n";
  }
  const std::string boundary = RandomHex(rng) + RandomHex(rng) + RandomHex(rng);
  msg += "Date: " + FormatRfc1123Z(n.now) + "\r\n";
  msg += "Content-Type: multipart/alternative;  boundary=" + boundary + "\r\n";
  msg += "MIME-Version: 1.0\r\n\r\n";
  bool first = true;
  auto part = [&](const char* type, const std::string& body) {
    msg += std::string(first ? "" : "\r\n") + "--" + boundary + "\r\n";
    first = false;
    msg += "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: " + std::string(type) +
           "; charset=UTF-8\r\n\r\n" + QuotedPrintable(body);
  };
  if (!c_.text.empty()) part("text/plain", tmpl(c_.text));
  if (!c_.html.empty() || c_.default_html) part("text/html", c_.html.empty() ? DefaultHtml(n) : tmpl(c_.html));
  msg += "\r\n--" + boundary + "--\r\n";  // as Go's multipart.Writer.Close, parts or not
  if (!bad.ok()) return DumpJson({{"error", bad.message()}});
  return DumpJson({{"from", (*from)[0]}, {"to", *to}, {"message", msg}});
}

Delivery EmailIntegration::Target() const {
  Delivery d;
  d.url = "smtp://" + c_.smtp.host + ":" + c_.smtp.port;
  d.content_type = "message/rfc822";
  d.transport = [opts = c_.smtp](const std::string& body, int) -> Result<SendAnswer> {
    SendAnswer a;
    const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.contains("error")) {
      a.body = j.is_object() ? j.value("error", "") : "malformed pending e-mail";
      return a;  // refused for good: the addresses never parse
    }
    httpclient::SmtpMessage m;
    m.from = j.value("from", "");
    m.to = j.value("to", std::vector<std::string>{});
    m.data = j.value("message", "");
    bool retryable = false;
    Status s = httpclient::SendMail(opts, m, &retryable);
    if (!s.ok() && retryable) return s;
    a.delivered = s.ok();
    a.code = s.ok() ? 250 : 554;
    a.body = s.message();
    return a;
  };
  return d;
}

Result<std::shared_ptr<const IntegrationKind>> ParseEmail(const YAML::Node& n, const std::string& where,
                                                      const IntegrationDefaults& d) {
  TM_RETURN_IF_ERROR(KeysIn(n, {"send_resolved", "to", "from", "hello", "smarthost", "auth_username",
                                "auth_password", "auth_password_file", "auth_identity", "auth_secret",
                                "headers", "html", "text", "require_tls", "tls_config"},
                            "email_config"));
  if (n["auth_secret"]) {
    return Status::InvalidArgument(where + ": auth_secret (CRAM-MD5) is not supported; use auth_password");
  }
  EmailConfig c;
  c.to = StrOr(n["to"], "");
  if (c.to.empty()) return Status::InvalidArgument(where + ": missing to address in email config");
  c.from = StrOr(n["from"], d.smtp_from);
  if (c.from.empty()) return Status::InvalidArgument(where + ": no global SMTP from set");
  const std::string smarthost = StrOr(n["smarthost"], d.smtp_smarthost);
  if (smarthost.empty()) return Status::InvalidArgument(where + ": no global SMTP smarthost set");
  const size_t colon = smarthost.rfind(':');
  if (colon == std::string::npos || colon + 1 == smarthost.size()) {
    return Status::InvalidArgument(where + ": address " + smarthost + ": missing port in address");
  }
  c.smtp.host = smarthost.substr(0, colon);
  if (c.smtp.host.size() >= 2 && c.smtp.host.front() == '[' && c.smtp.host.back() == ']') {
    c.smtp.host = c.smtp.host.substr(1, c.smtp.host.size() - 2);
  }
  c.smtp.port = smarthost.substr(colon + 1);
  c.smtp.hello = StrOr(n["hello"], d.smtp_hello);
  c.smtp.username = StrOr(n["auth_username"], d.smtp_auth_username);
  TM_ASSIGN_OR_RETURN(c.smtp.password, SecretOrFile(n, where, "auth_password", d.base_dir));
  if (!n["auth_password"] && !n["auth_password_file"]) c.smtp.password = d.smtp_auth_password;
  c.smtp.identity = StrOr(n["auth_identity"], d.smtp_auth_identity);
  c.smtp.require_tls = BoolOr(n["require_tls"], d.smtp_require_tls);
  if (const auto t = n["tls_config"]; t && !t.IsNull()) {
    YAML::Node wrapped;
    wrapped["tls_config"] = t;
    TM_ASSIGN_OR_RETURN(auto hc, httpclient::ParseClientConfig(wrapped, where, d.base_dir));
    c.smtp.tls = hc.tls;
  }
  c.send_resolved = BoolOr(n["send_resolved"], false);
  c.text = StrOr(n["text"], "");
  if (n["html"]) {
    c.html = StrOr(n["html"], "");
    c.default_html = false;
  }
  TM_ASSIGN_OR_RETURN(auto headers, StringMap(n["headers"], where + ".headers"));
  for (const auto& [k, v] : headers) {
    if (!c.headers.emplace(CanonicalHeader(k), v).second) {
      return Status::InvalidArgument(where + ": duplicate header \"" + CanonicalHeader(k) + "\" in email config");
    }
  }
  // Alertmanager's defaults: the subject line, and To/From as configured.
  c.default_subject = c.headers.emplace("Subject", "").second;
  c.headers.emplace("To", c.to);
  c.headers.emplace("From", c.from);
  char host[256] = {0};
  c.hostname = ::gethostname(host, sizeof(host) - 1) == 0 ? host : "localhost.localdomain";
  return std::shared_ptr<const IntegrationKind>(std::make_shared<EmailIntegration>(std::move(c)));
}

}  // namespace tidemark::alerting
