// A keep-alive HTTP/1.1 server on 127.0.0.1 for the client's connection-reuse tests: one thread
// per connection, counts accepted connections and requests, and misbehaves on request (closes
// after n answers, says `Connection: close`, answers chunked or unframed, drops a request).
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/capture_server.h"

namespace tidemark::httpclient {

class KeepAliveServer {
 public:
  enum class Framing { kLength, kChunked, kUntilClose };
  struct Behaviour {
    Framing framing = Framing::kLength;
    int close_after = 0;          // > 0: close the connection after this many answers (no header)
    bool connection_close = false;  // answer with `Connection: close` and close
    int drop_request = 0;         // > 0: the n-th request on a connection is read, then closed unanswered
    int partial_request = 0;      // > 0: the n-th request gets half a status line, then close
    std::string body = "hello";
  };

  explicit KeepAliveServer(Behaviour b, SSL_CTX* tls = nullptr) : b_(std::move(b)), tls_(tls) {
    fd_ = alerting::ListenOnLoopback(&port_);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~KeepAliveServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    accept_thread_.join();
    {
      std::lock_guard<std::mutex> l(mu_);
      for (int c : open_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : conn_threads_) t.thread.join();
    if (tls_ != nullptr) SSL_CTX_free(tls_);
  }

  std::string url(const std::string& path = "/x") const {
    return (tls_ ? "https://" : "http://") + std::string("127.0.0.1:") + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  // Closes every open connection now (as a server's idle timeout does).
  void CloseIdle() {
    std::lock_guard<std::mutex> l(mu_);
    for (int c : open_) ::shutdown(c, SHUT_RDWR);
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++accepted_;
      std::lock_guard<std::mutex> l(mu_);
      open_.push_back(c);
      // Finished connections' threads are joined here, so a long run of one-off connections
      // (benchmarks) does not pile up threads.
      for (auto it = conn_threads_.begin(); it != conn_threads_.end();) {
        if (it->done->load()) {
          it->thread.join();
          it = conn_threads_.erase(it);
        } else {
          ++it;
        }
      }
      auto done = std::make_shared<std::atomic<bool>>(false);
      conn_threads_.push_back({std::thread([this, c, done] {
                                 Serve(c);
                                 done->store(true);
                               }),
                               done});
    }
  }

  void Serve(int c) {
    SSL* ssl = nullptr;
    if (tls_ != nullptr) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) != 1) return Close(c, ssl);
    }
    std::string data;
    char buf[16384];
    for (int n_req = 1;; ++n_req) {
      // One request: headers, then Content-Length bytes of body.
      size_t need = std::string::npos;
      while (need == std::string::npos || data.size() < need) {
        const size_t hdr_end = data.find("\r\n\r\n");
        if (hdr_end != std::string::npos && need == std::string::npos) {
          size_t cl = data.find("Content-Length: ");
          if (cl == std::string::npos || cl > hdr_end) cl = data.find("content-length: ");
          need = hdr_end + 4 + (cl == std::string::npos || cl > hdr_end ? 0 : std::stoul(data.substr(cl + 16)));
          continue;
        }
        const int n = ssl ? SSL_read(ssl, buf, sizeof(buf)) : static_cast<int>(::read(c, buf, sizeof(buf)));
        if (n <= 0) return Close(c, ssl);
        data.append(buf, static_cast<size_t>(n));
      }
      data.erase(0, need);
      ++requests_;
      if (n_req == b_.drop_request) return Close(c, ssl);
      std::string resp;
      if (n_req == b_.partial_request) {
        resp = "HTTP/1.1 20";
      } else {
        const bool close = b_.connection_close || b_.framing == Framing::kUntilClose;
        resp = "HTTP/1.1 200 OK\r\n";
        if (b_.connection_close) resp += "Connection: close\r\n";
        if (b_.framing == Framing::kLength) resp += "Content-Length: " + std::to_string(b_.body.size()) + "\r\n\r\n" + b_.body;
        if (b_.framing == Framing::kChunked) {
          const size_t half = b_.body.size() / 2;
          resp += "Transfer-Encoding: chunked\r\n\r\n" + Chunk(b_.body.substr(0, half)) +
                  Chunk(b_.body.substr(half)) + "0\r\n\r\n";
        }
        if (b_.framing == Framing::kUntilClose) resp += "\r\n" + b_.body;
        Write(c, ssl, resp);
        if (close || n_req == b_.close_after) return Close(c, ssl);
        continue;
      }
      Write(c, ssl, resp);
      return Close(c, ssl);
    }
  }

  static std::string Chunk(const std::string& s) {
    char len[32];
    snprintf(len, sizeof(len), "%zx\r\n", s.size());
    return len + s + "\r\n";
  }
  static void Write(int c, SSL* ssl, const std::string& s) {
    if (ssl) {
      SSL_write(ssl, s.data(), static_cast<int>(s.size()));
    } else {
      (void)!::write(c, s.data(), s.size());
    }
  }
  void Close(int c, SSL* ssl) {
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (*it == c) {
        open_.erase(it);
        break;
      }
    }
    ::close(c);
  }

  const Behaviour b_;
  SSL_CTX* tls_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, requests_{0};
  std::mutex mu_;
  std::vector<int> open_;
  struct ConnThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<ConnThread> conn_threads_;  // accept thread only (and the destructor)
  std::thread accept_thread_;
};

}  // namespace tidemark::httpclient
