// A minimal /metrics server on 127.0.0.1 for scrape tests: answers every request with the
// response set last (status, headers, body) and keeps the last request's header block.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace tidemark::ingest::testing {

class FakeExporter {
 public:
  FakeExporter() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeExporter() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Set(int status, std::string content_type, std::string body, std::string extra_headers = "") {
    std::lock_guard<std::mutex> l(mu_);
    status_ = status;
    content_type_ = std::move(content_type);
    body_ = std::move(body);
    extra_ = std::move(extra_headers);
  }
  std::string last_request() {
    std::lock_guard<std::mutex> l(mu_);
    return last_request_;
  }

 private:
  void Loop() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      while (data.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof(buf));
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
      }
      std::string resp;
      {
        std::lock_guard<std::mutex> l(mu_);
        last_request_ = data;
        resp = "HTTP/1.1 " + std::to_string(status_) + " Status\r\nContent-Length: " +
               std::to_string(body_.size()) + "\r\nConnection: close\r\n";
        if (!content_type_.empty()) resp += "Content-Type: " + content_type_ + "\r\n";
        resp += extra_ + "\r\n" + body_;
      }
      size_t off = 0;
      while (off < resp.size()) {
        const ssize_t n = ::write(c, resp.data() + off, resp.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  int status_ = 200;
  std::string content_type_ = "text/plain; version=0.0.4";
  std::string body_;
  std::string extra_;
  std::string last_request_;
  std::thread thread_;
};

}  // namespace tidemark::ingest::testing
