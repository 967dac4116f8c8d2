// OpenSSL's error queue as one line, for messages of the client's and the server's TLS setup.
#pragma once

#include <string>

namespace tidemark::httpclient {

// Drains the calling thread's OpenSSL error queue into "err; err" (or "unknown OpenSSL error").
std::string OpenSslErrors();

}  // namespace tidemark::httpclient
