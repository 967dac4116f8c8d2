// A blocking SMTP client for notification e-mail, with the behaviour of Go's net/smtp as
// Alertmanager uses it: implicit TLS on port 465, STARTTLS, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA.
#pragma once

#include <string>
#include <vector>

#include "tidemark/httpclient/config.h"
#include "tidemark/storage/model/status.h"

namespace tidemark::httpclient {

struct SmtpOptions {
  std::string host, port;  // the smarthost
  std::string hello = "localhost";  // the EHLO name
  bool require_tls = true;  // STARTTLS must be offered and is used
  TlsConfig tls;            // for STARTTLS and port 465
  std::string username;     // "" = no AUTH
  std::string password;     // secret
  std::string identity;     // PLAIN's authorization identity
  int timeout_ms = 30'000;  // per read or write
};

struct SmtpMessage {
  std::string from;             // envelope sender (bare address)
  std::vector<std::string> to;  // envelope recipients (bare addresses)
  std::string data;             // headers + body, lines ending in CRLF
};

// Delivers one message. `retryable` says whether a failure may go away (network, TLS, SMTP
// errors: yes, as Alertmanager). Error messages never contain the password.
Status SendMail(const SmtpOptions& options, const SmtpMessage& message, bool* retryable);

}  // namespace tidemark::httpclient
