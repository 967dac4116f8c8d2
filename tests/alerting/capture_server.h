// A tiny HTTP(S) server on 127.0.0.1 for tests: records delivered requests (target, headers,
// body), answers with a fixed status or a scripted sequence; TLS mode uses OpenSSL.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tidemark::alerting {

// A listening TCP socket on 127.0.0.1 with a port the kernel picked (stored in `port`).
inline int ListenOnLoopback(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  ::listen(fd, 16);
  return fd;
}

class CaptureServer {
 public:
  struct Request {
    std::string target;
    std::string body;
    std::string headers;  // the raw header block
  };

  // A server context for TLS mode from PEM files (nullptr on error).
  static SSL_CTX* TlsContext(const std::string& cert_file, const std::string& key_file) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }

  // With `tls` (owned from then on) the server speaks HTTPS.
  explicit CaptureServer(int status = 200, SSL_CTX* tls = nullptr) : status_(status), tls_(tls) {
    fd_ = ListenOnLoopback(&port_);
    thread_ = std::thread([this] { Loop(); });
  }
  ~CaptureServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    if (tls_ != nullptr) SSL_CTX_free(tls_);
  }

  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_) + path;
  }
  void set_status(int s) { status_ = s; }
  // The next answers' statuses, in order (then the fixed status again).
  void set_script(std::deque<int> statuses) {
    std::lock_guard<std::mutex> l(mu_);
    script_ = std::move(statuses);
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  // Waits until at least n requests arrived (bounded; returns what is there).
  std::vector<Request> WaitFor(size_t n, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (requests().size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return requests();
  }
  int hits() const { return hits_.load(); }
  // While held, a request that arrived is counted in hits() but not answered (a slow receiver).
  void set_hold(bool hold) { hold_ = hold; }
  int tls_failures() const { return tls_failures_.load(); }
  // A Retry-After header on every error answer (remote-write backoff tests); "" = none.
  void set_retry_after(const std::string& v) {
    std::lock_guard<std::mutex> l(mu_);
    retry_after_ = v;
  }
  // Header lines ("Name: value\r\n" each) added to every answer.
  void set_answer_headers(const std::string& raw) {
    std::lock_guard<std::mutex> l(mu_);
    answer_headers_ = raw;
  }

 private:
  void Loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      SSL* ssl = nullptr;
      if (tls_ != nullptr) {
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) {  // e.g. the client rejected our certificate
          ++tls_failures_;
          SSL_free(ssl);
          ::close(c);
          continue;
        }
      }
      std::string data;
      char buf[4096];
      size_t need = std::string::npos;
      while (true) {
        const ssize_t n = ssl ? SSL_read(ssl, buf, sizeof(buf)) : ::read(c, buf, sizeof(buf));
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        size_t hdr_end = data.find("\r\n\r\n");
        if (hdr_end != std::string::npos && need == std::string::npos) {
          size_t cl = data.find("Content-Length: ");
          if (cl == std::string::npos) cl = data.find("content-length: ");
          size_t len = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
          need = hdr_end + 4 + len;
        }
        if (need != std::string::npos && data.size() >= need) break;
      }
      ++hits_;
      while (hold_ && !stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      size_t sp1 = data.find(' '), sp2 = data.find(' ', sp1 + 1);
      size_t hdr_end = data.find("\r\n\r\n");
      int status = status_.load();
      {
        std::lock_guard<std::mutex> l(mu_);
        if (!script_.empty()) {
          status = script_.front();
          script_.pop_front();
        }
        if (status < 300 && sp1 != std::string::npos && hdr_end != std::string::npos) {
          requests_.push_back({data.substr(sp1 + 1, sp2 - sp1 - 1), data.substr(hdr_end + 4),
                               data.substr(0, hdr_end + 2)});
        }
      }
      std::string extra;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (status >= 400 && !retry_after_.empty()) extra = "Retry-After: " + retry_after_ + "\r\n";
        extra += answer_headers_;
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + extra +
                         "Content-Length: 2\r\nConnection: close\r\n\r\nok";
      if (ssl) {
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
        SSL_shutdown(ssl);
        SSL_free(ssl);
      } else {
        (void)!::write(c, resp.data(), resp.size());
      }
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> status_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> hold_{false};
  SSL_CTX* tls_ = nullptr;
  std::atomic<int> hits_{0}, tls_failures_{0};
  std::mutex mu_;
  std::vector<Request> requests_;
  std::deque<int> script_;
  std::string retry_after_;
  std::string answer_headers_;
  std::thread thread_;
};

}  // namespace tidemark::alerting
