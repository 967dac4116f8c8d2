// A tiny HTTP server on 127.0.0.1 for tests: records POST bodies, answers with a fixed status.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tidemark::alerting {

class CaptureServer {
 public:
  struct Request {
    std::string target;
    std::string body;
  };

  explicit CaptureServer(int status = 200) : status_(status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~CaptureServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_status(int s) { status_ = s; }
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

 private:
  void Loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      size_t need = std::string::npos;
      while (true) {
        ssize_t n = ::read(c, buf, sizeof(buf));
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
      size_t sp1 = data.find(' '), sp2 = data.find(' ', sp1 + 1);
      size_t hdr_end = data.find("\r\n\r\n");
      int status = status_.load();
      if (status < 300 && sp1 != std::string::npos && hdr_end != std::string::npos) {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back({data.substr(sp1 + 1, sp2 - sp1 - 1), data.substr(hdr_end + 4)});
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) +
                         " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> status_;
  std::atomic<bool> stop_{false};
  std::atomic<int> hits_{0};
  std::mutex mu_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace tidemark::alerting
