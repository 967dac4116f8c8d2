// OTLP response bodies (ExportMetricsServiceResponse, google.rpc.Status) and float formatting.
#include <nlohmann/json.hpp>

#include "otlp.h"
#include "tidemark/ingest/protowire_writer.h"

namespace tidemark::ingest {
namespace {

std::string JsonDump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string EncodeOtlpResponse(bool json, int64_t rejected, std::string_view message) {
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    if (rejected > 0 || !message.empty()) {
      // Proto3 JSON mapping: int64 as a decimal string.
      j["partialSuccess"] = {{"rejectedDataPoints", std::to_string(rejected)},
                             {"errorMessage", std::string(message)}};
    }
    return JsonDump(j);
  }
  std::string out;
  if (rejected > 0 || !message.empty()) {
    std::string ps;
    if (rejected != 0) AppendVarintField(&ps, 1, static_cast<uint64_t>(rejected));
    if (!message.empty()) AppendLenField(&ps, 2, message);
    AppendLenField(&out, 1, ps);
  }
  return out;
}

std::string EncodeRpcStatus(bool json, int code, std::string_view message) {
  if (json) return JsonDump({{"code", code}, {"message", std::string(message)}});
  std::string out;
  AppendVarintField(&out, 1, static_cast<uint64_t>(code));
  AppendLenField(&out, 2, message);
  return out;
}

}  // namespace tidemark::ingest
