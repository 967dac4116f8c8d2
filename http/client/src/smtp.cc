// SMTP over a POSIX socket, upgraded in place with OpenSSL for STARTTLS (RFC 5321, 3207, 4954).
#include "tidemark/httpclient/smtp.h"

#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "tls.h"

namespace tidemark::httpclient {
namespace {

std::string Base64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n);
  return out;
}

std::string Unbase64(const std::string& s) {
  std::string out(3 * ((s.size() + 3) / 4) + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  out.resize(n);
  while (!out.empty() && out.back() == '\0') out.pop_back();  // EVP_DecodeBlock pads
  return out;
}

class Conn {
 public:
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  Status Dial(const SmtpOptions& o) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res); rc != 0) {
      return Status::Unavailable("resolve " + o.host + ": " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    timeval tv{o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000};
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd_ < 0) continue;
      // Bounds connect, reads and writes alike (Linux applies SO_SNDTIMEO to connect).
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) return Status::OK();
      ::close(fd_);
      fd_ = -1;
    }
    return Status::Unavailable("establish connection to server " + o.host + ":" + o.port + " failed");
  }

  Status StartTls(const SmtpOptions& o) {
    TM_ASSIGN_OR_RETURN(ctx_, MakeSslContext(o.tls));
    ssl_ = SSL_new(ctx_.get());
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) return Status::Internal("SSL_new: " + OpenSslErrors());
    TM_RETURN_IF_ERROR(PrepareConnection(ssl_, o.tls, o.host));
    if (SSL_connect(ssl_) != 1) {
      const long v = SSL_get_verify_result(ssl_);
      return Status::Unavailable("TLS handshake with " + o.host + ": " +
                                 (v != X509_V_OK ? X509_verify_cert_error_string(v) : OpenSslErrors()));
    }
    buf_.clear();
    return Status::OK();
  }
  bool tls() const { return ssl_ != nullptr; }

  Status Write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const int n = ssl_ ? SSL_write(ssl_, s.data() + off, static_cast<int>(s.size() - off))
                         : static_cast<int>(::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL));
      if (n <= 0) return Status::Unavailable("write to SMTP server failed");
      off += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  // One reply (possibly multi-line): its code and the text of each line.
  Status Reply(int* code, std::vector<std::string>* lines) {
    lines->clear();
    for (;;) {
      std::string line;
      TM_RETURN_IF_ERROR(ReadLine(&line));
      if (line.size() < 3) return Status::Unavailable("malformed SMTP reply: " + line);
      *code = std::atoi(line.substr(0, 3).c_str());
      lines->push_back(line.size() > 4 ? line.substr(4) : "");
      if (line.size() == 3 || line[3] != '-') return Status::OK();
    }
  }

  // Sends `cmd` (unless empty) and expects a reply code in [lo, hi]. `shown` replaces the
  // command in errors (credentials).
  Status Cmd(const std::string& cmd, int lo, int hi, std::vector<std::string>* lines = nullptr,
             const std::string& shown = "") {
    if (!cmd.empty()) TM_RETURN_IF_ERROR(Write(cmd + "\r\n"));
    std::vector<std::string> local;
    if (lines == nullptr) lines = &local;
    int code = 0;
    TM_RETURN_IF_ERROR(Reply(&code, lines));
    if (code < lo || code > hi) {
      const std::string what = shown.empty() ? cmd.substr(0, cmd.find(' ')) : shown;
      return Status::Unavailable((what.empty() ? "greeting" : what) + ": " + std::to_string(code) + " " +
                                 (lines->empty() ? "" : lines->back()));
    }
    return Status::OK();
  }

 private:
  Status ReadLine(std::string* line) {
    for (;;) {
      if (size_t p = buf_.find("\r\n"); p != std::string::npos) {
        *line = buf_.substr(0, p);
        buf_.erase(0, p + 2);
        return Status::OK();
      }
      if (buf_.size() > 64 * 1024) return Status::Unavailable("SMTP reply line too long");
      char tmp[4096];
      const int n = ssl_ ? SSL_read(ssl_, tmp, sizeof(tmp)) : static_cast<int>(::recv(fd_, tmp, sizeof(tmp), 0));
      if (n <= 0) return Status::Unavailable("read from SMTP server failed (closed or timed out)");
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  SslCtxPtr ctx_;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

// EHLO and the extensions the server lists (keyword -> parameters).
Status Ehlo(Conn& c, const std::string& hello, std::vector<std::pair<std::string, std::string>>* ext) {
  std::vector<std::string> lines;
  TM_RETURN_IF_ERROR(c.Cmd("EHLO " + hello, 250, 250, &lines));
  ext->clear();
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t sp = lines[i].find(' ');
    std::string k = lines[i].substr(0, sp);
    for (auto& ch : k) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    ext->emplace_back(k, sp == std::string::npos ? "" : lines[i].substr(sp + 1));
  }
  return Status::OK();
}

const std::string* Extension(const std::vector<std::pair<std::string, std::string>>& ext, const std::string& k) {
  for (const auto& [key, v] : ext) {
    if (key == k) return &v;
  }
  return nullptr;
}

Status Auth(Conn& c, const SmtpOptions& o, const std::string& mechs) {
  size_t start = 0;
  while (start <= mechs.size()) {
    size_t sp = mechs.find(' ', start);
    if (sp == std::string::npos) sp = mechs.size();
    const std::string mech = mechs.substr(start, sp - start);
    start = sp + 1;
    if (mech != "PLAIN" && mech != "LOGIN") continue;
    if (o.password.empty()) return Status::InvalidArgument("missing password for " + mech + " auth mechanism");
    if (mech == "PLAIN") {
      // As Go's smtp.PlainAuth: only over TLS or to the local host (its LOGIN has no such check).
      if (!c.tls() && o.host != "localhost" && o.host != "127.0.0.1" && o.host != "::1") {
        return Status::Unavailable("PLAIN auth: unencrypted connection");
      }
      return c.Cmd("AUTH PLAIN " + Base64(o.identity + std::string(1, '\0') + o.username + std::string(1, '\0') + o.password),
                   235, 235, nullptr, "AUTH PLAIN");
    }
    std::vector<std::string> lines;
    TM_RETURN_IF_ERROR(c.Cmd("AUTH LOGIN", 334, 334, &lines));
    // The server asks for "Username:" and "Password:" (base64), in its order.
    for (int code = 334; code == 334;) {
      std::string challenge = lines.empty() ? "" : Unbase64(lines.back());
      for (auto& ch : challenge) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (challenge == "username:") {
        TM_RETURN_IF_ERROR(c.Write(Base64(o.username) + "\r\n"));
      } else if (challenge == "password:") {
        TM_RETURN_IF_ERROR(c.Write(Base64(o.password) + "\r\n"));
      } else {
        return Status::Unavailable("AUTH LOGIN: unexpected server challenge");
      }
      TM_RETURN_IF_ERROR(c.Reply(&code, &lines));
      if (code != 235 && code != 334) {
        return Status::Unavailable("AUTH LOGIN: " + std::to_string(code) + " " + (lines.empty() ? "" : lines.back()));
      }
    }
    return Status::OK();
  }
  return Status::InvalidArgument("unknown auth mechanism: " + mechs);
}

// Dot-stuffing and CRLF line ends for DATA (RFC 5321 4.5.2).
std::string DataBlock(const std::string& data) {
  std::string out;
  bool bol = true;
  for (size_t i = 0; i < data.size(); ++i) {
    const char ch = data[i];
    if (bol && ch == '.') out += '.';
    if (ch == '\n' && (i == 0 || data[i - 1] != '\r')) out += '\r';
    out += ch;
    bol = ch == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out + ".\r\n";
}

}  // namespace

Status SendMail(const SmtpOptions& o, const SmtpMessage& m, bool* retryable) {
  *retryable = true;
  Conn c;
  TM_RETURN_IF_ERROR(c.Dial(o));
  // Port 465 is SMTP over implicit TLS (RFC 8314).
  if (o.port == "465") TM_RETURN_IF_ERROR(c.StartTls(o));
  TM_RETURN_IF_ERROR(c.Cmd("", 220, 220));
  std::vector<std::pair<std::string, std::string>> ext;
  TM_RETURN_IF_ERROR(Ehlo(c, o.hello, &ext));
  if (o.require_tls) {
    if (Extension(ext, "STARTTLS") == nullptr) {
      return Status::Unavailable("'require_tls' is true (default) but \"" + o.host + ":" + o.port +
                                 "\" does not advertise the STARTTLS extension");
    }
    TM_RETURN_IF_ERROR(c.Cmd("STARTTLS", 220, 220));
    TM_RETURN_IF_ERROR(c.StartTls(o));
    TM_RETURN_IF_ERROR(Ehlo(c, o.hello, &ext));
  }
  if (const std::string* mechs = Extension(ext, "AUTH"); mechs != nullptr && !o.username.empty()) {
    TM_RETURN_IF_ERROR(Auth(c, o, *mechs));
  }
  TM_RETURN_IF_ERROR(c.Cmd("MAIL FROM:<" + m.from + ">", 250, 250));
  for (const auto& to : m.to) TM_RETURN_IF_ERROR(c.Cmd("RCPT TO:<" + to + ">", 250, 251));
  TM_RETURN_IF_ERROR(c.Cmd("DATA", 354, 354));
  TM_RETURN_IF_ERROR(c.Write(DataBlock(m.data)));
  TM_RETURN_IF_ERROR(c.Cmd("", 250, 250, nullptr, "DATA"));
  (void)c.Cmd("QUIT", 221, 221);  // the message is accepted; a failed goodbye changes nothing
  return Status::OK();
}

}  // namespace tidemark::httpclient
