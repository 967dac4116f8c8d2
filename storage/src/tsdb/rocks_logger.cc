// A rocksdb::Logger that formats each line and hands it to StorageOptions::log.
#include "tsdb/rocks_logger.h"

#include <cstdarg>
#include <cstdio>
#include <string>

namespace tidemark::tsdb {
namespace {

class RocksLogger final : public rocksdb::Logger {
 public:
  explicit RocksLogger(std::function<void(std::string_view, std::string_view)> sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}

  // Lines without a level (headers, option dumps) are informational.
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    // Headers are RocksDB's option and file dumps at open.
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    if (n < 0) return;
    std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    const char* lvl = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? "error" : "warn";
    if (sink_) {
      sink_(lvl, "rocksdb: " + line);
    } else {
      std::fprintf(stderr, "level=%s component=rocksdb msg=\"%s\"\n", lvl, line.c_str());
    }
  }

 private:
  const std::function<void(std::string_view, std::string_view)> sink_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksLogger(const StorageOptions& options) {
  return std::make_shared<RocksLogger>(options.log);
}

}  // namespace tidemark::tsdb
