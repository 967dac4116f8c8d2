// A private CA made with the `openssl` CLI for TLS tests: a CA, a server certificate for
// localhost/127.0.0.1 signed by it, and an unrelated CA.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "capture_server.h"

namespace tidemark::alerting {

class Pki {
 public:
  Pki() : dir_(std::filesystem::temp_directory_path() / ("tm_pki_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "san.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    const std::string d = dir_.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string cmd =
        "cd " + d + " && openssl req -x509" + ec + " -keyout ca.key -out ca.crt -days 2 -subj /CN=TestCA" +
        " && openssl req -x509" + ec + " -keyout other.key -out other.crt -days 2 -subj /CN=OtherCA" +
        " && openssl req" + ec + " -keyout server.key -out server.csr -subj /CN=localhost" +
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial" +
        " -out server.crt -days 2 -extfile san.cnf";
    ok_ = std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
  }
  ~Pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return ok_; }
  std::string dir() const { return dir_.string(); }
  std::string path(const std::string& f) const { return (dir_ / f).string(); }
  SSL_CTX* ServerContext() const { return CaptureServer::TlsContext(path("server.crt"), path("server.key")); }

 private:
  std::filesystem::path dir_;
  bool ok_ = false;
};

inline const Pki& SharedPki() {
  static const Pki pki;  // made once per test process (key generation is not free)
  return pki;
}

}  // namespace tidemark::alerting
