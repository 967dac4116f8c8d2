// A small SMTP server on 127.0.0.1 for tests: EHLO (advertising STARTTLS when given a TLS
// context, the AUTH mechanisms it is given), STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT; records
// every accepted message with its envelope, whether it came over TLS, and the credentials.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture_server.h"

namespace tidemark::alerting {

class SmtpSink {
 public:
  struct Message {
    std::string from;
    std::vector<std::string> to;
    std::string data;  // after dot-unstuffing, without the final "."
    bool tls = false;
    std::string mechanism, username, password;  // AUTH, if any
  };
  struct Options {
    SSL_CTX* tls = nullptr;  // owned; offer STARTTLS
    std::string auth;        // AUTH mechanisms to offer ("" = none)
  };

  explicit SmtpSink(Options o) : o_(o) {
    fd_ = ListenOnLoopback(&port_);
    thread_ = std::thread([this] { Loop(); });
  }
  ~SmtpSink() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    if (o_.tls != nullptr) SSL_CTX_free(o_.tls);
  }
  int port() const { return port_; }
  std::vector<Message> messages() {
    std::lock_guard<std::mutex> l(mu_);
    return messages_;
  }
  std::vector<Message> WaitFor(size_t n, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline && messages().size() < n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return messages();
  }
  // Every command line received (AUTH payloads included), for protocol checks.
  std::vector<std::string> commands() {
    std::lock_guard<std::mutex> l(mu_);
    return commands_;
  }

 private:
  struct Conn {
    int fd = -1;
    SSL* ssl = nullptr;
    std::string buf;
    bool ReadLine(std::string* line) {
      for (;;) {
        if (size_t p = buf.find("\r\n"); p != std::string::npos) {
          *line = buf.substr(0, p);
          buf.erase(0, p + 2);
          return true;
        }
        char tmp[4096];
        const int n = ssl ? SSL_read(ssl, tmp, sizeof(tmp)) : static_cast<int>(::read(fd, tmp, sizeof(tmp)));
        if (n <= 0) return false;
        buf.append(tmp, static_cast<size_t>(n));
      }
    }
    void Send(const std::string& s) {
      if (ssl) {
        SSL_write(ssl, s.data(), static_cast<int>(s.size()));
      } else {
        (void)!::write(fd, s.data(), s.size());
      }
    }
  };

  static std::string Unbase64(const std::string& s) {
    std::string out(s.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    out.resize(n < 0 ? 0 : n);
    size_t pad = 0;
    for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
    out.resize(out.size() >= pad ? out.size() - pad : 0);
    return out;
  }

  void Loop() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Serve(c);
      ::close(c);
    }
  }

  void Serve(int fd) {
    Conn c;
    c.fd = fd;
    Message m;
    c.Send("220 sink ESMTP\r\n");
    std::string line;
    while (c.ReadLine(&line)) {
      {
        std::lock_guard<std::mutex> l(mu_);
        commands_.push_back(line);
      }
      std::string verb = line.substr(0, line.find(' '));
      for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (verb == "EHLO") {
        std::string r = "250-sink\r\n";
        if (o_.tls != nullptr && c.ssl == nullptr) r += "250-STARTTLS\r\n";
        if (!o_.auth.empty()) r += "250-AUTH " + o_.auth + "\r\n";
        c.Send(r + "250 8BITMIME\r\n");
      } else if (verb == "STARTTLS" && o_.tls != nullptr) {
        c.Send("220 go ahead\r\n");
        c.ssl = SSL_new(o_.tls);
        SSL_set_fd(c.ssl, fd);
        if (SSL_accept(c.ssl) != 1) break;
        m.tls = true;
        c.buf.clear();
      } else if (verb == "AUTH") {
        const std::string rest = line.substr(5);
        m.mechanism = rest.substr(0, rest.find(' '));
        if (m.mechanism == "PLAIN") {
          const std::string dec = Unbase64(rest.substr(6));
          const size_t a = dec.find('\0'), b = dec.find('\0', a + 1);
          m.username = dec.substr(a + 1, b - a - 1);
          m.password = dec.substr(b + 1);
        } else {
          c.Send("334 VXNlcm5hbWU6\r\n");  // "Username:"
          if (!c.ReadLine(&line)) break;
          m.username = Unbase64(line);
          c.Send("334 UGFzc3dvcmQ6\r\n");  // "Password:"
          if (!c.ReadLine(&line)) break;
          m.password = Unbase64(line);
        }
        c.Send("235 ok\r\n");
      } else if (verb == "MAIL") {
        m.from = line.substr(line.find('<') + 1, line.find('>') - line.find('<') - 1);
        c.Send("250 ok\r\n");
      } else if (verb == "RCPT") {
        m.to.push_back(line.substr(line.find('<') + 1, line.find('>') - line.find('<') - 1));
        c.Send("250 ok\r\n");
      } else if (verb == "DATA") {
        c.Send("354 go\r\n");
        while (c.ReadLine(&line) && line != ".") m.data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
        {
          std::lock_guard<std::mutex> l(mu_);
          messages_.push_back(m);
        }
        c.Send("250 queued\r\n");
      } else if (verb == "QUIT") {
        c.Send("221 bye\r\n");
        break;
      } else {
        c.Send("502 unknown\r\n");
      }
    }
    if (c.ssl != nullptr) {
      SSL_shutdown(c.ssl);
      SSL_free(c.ssl);
    }
  }

  Options o_;
  int fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Message> messages_;
  std::vector<std::string> commands_;
  std::thread thread_;
};

}  // namespace tidemark::alerting
