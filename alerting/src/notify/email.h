// E-mail notifications (email_configs): a multipart/alternative message (text and/or HTML part,
// quoted-printable) built as Alertmanager builds it, delivered over SMTP by httpclient::SendMail.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "notify/config_util.h"
#include "notify/integration.h"
#include "tidemark/httpclient/smtp.h"

namespace tidemark::alerting {

struct EmailConfig {
  std::string to, from;  // templates (address lists)
  std::map<std::string, std::string> headers;  // canonical name -> template (Subject/To/From included)
  bool default_subject = true;  // Subject is Alertmanager's email.default.subject
  std::string html;  // template; "" with `default_html` = the built-in HTML body
  bool default_html = true;
  std::string text;  // template; "" = no text part
  httpclient::SmtpOptions smtp;
  bool send_resolved = false;
  std::string hostname;  // for Message-Id
};

class EmailIntegration : public IntegrationKind {
 public:
  explicit EmailIntegration(EmailConfig c) : c_(std::move(c)) {}
  const char* kind() const override { return "email"; }
  bool send_resolved() const override { return c_.send_resolved; }
  Delivery Target() const override;
  // The body is JSON {"from", "to": [...], "message"} (or {"error"} when the addresses do not
  // parse); the target talks SMTP to the smarthost.
  std::string Render(const Notification& n) const override;

 private:
  EmailConfig c_;
};

Result<std::shared_ptr<const IntegrationKind>> ParseEmail(const YAML::Node& n, const std::string& where,
                                                      const IntegrationDefaults& d);

// Go's mime.QEncoding.Encode("utf-8", s): unchanged when printable ASCII, else encoded-words.
std::string QEncodeHeader(const std::string& s);
// Go's quotedprintable.Writer over `s` (CRLF line ends, soft breaks at 76 columns).
std::string QuotedPrintable(const std::string& s);
// Bare addresses of an RFC 5322 address list ("A <a@x>, b@y"); empty or malformed is an error.
Result<std::vector<std::string>> ParseAddressList(const std::string& s);

}  // namespace tidemark::alerting
