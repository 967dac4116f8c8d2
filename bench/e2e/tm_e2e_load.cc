// tm_e2e_load: data generator, remote-write load generator and null sink of the end-to-end benchmark.
//   gen  --series N --duration-s D --start-ms T --out FILE [--seed S] [--shards 8]
//        [--batch-samples 2000] [--window-s 1800] [--interval-ms 15000]
//   send --file FILE --url http://127.0.0.1:PORT/api/v1/write [--no-sync]
//   sink --listen 127.0.0.1:PORT [--fail-every N]   (N-th writes answer 503)
//   dump --series N --steps K [--start-ms T]     (text, for eyeballing the data)
// gen and send print one JSON object on stdout.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "batch_file.h"
#include "http_sender.h"
#include "node_data.h"
#include "null_sink.h"
#include "remote_write_encoder.h"

namespace tidemark::e2e {
namespace {

using Flags = std::map<std::string, std::string>;

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 2; i < argc; ++i) {
    // Views, not a std::string reassigned from its own substr: GCC 12 at -O3 reported a bogus
    // -Wrestrict overlap for that (GCC bug 105329).
    std::string_view a = argv[i];
    if (!a.starts_with("--")) return false;
    a.remove_prefix(2);
    const size_t eq = a.find('=');
    if (eq != std::string_view::npos) {
      (*flags)[std::string(a.substr(0, eq))] = std::string(a.substr(eq + 1));
    } else if (a.starts_with("no-")) {
      (*flags)[std::string(a)] = std::string("1");
    } else if (i + 1 < argc) {
      (*flags)[std::string(a)] = std::string(argv[++i]);
    } else {
      return false;
    }
  }
  return true;
}

int64_t IntFlag(const Flags& f, const std::string& name, int64_t def) {
  auto it = f.find(name);
  return it == f.end() ? def : std::stoll(it->second);
}
std::string StrFlag(const Flags& f, const std::string& name, const std::string& def = "") {
  auto it = f.find(name);
  return it == f.end() ? def : it->second;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

int Gen(const Flags& f) {
  NodeDataOptions opt;
  opt.seed = static_cast<uint64_t>(IntFlag(f, "seed", static_cast<int64_t>(opt.seed)));
  opt.num_series = IntFlag(f, "series", 10000);
  opt.start_ms = IntFlag(f, "start-ms", 0);
  opt.interval_ms = IntFlag(f, "interval-ms", 15000);
  const int64_t steps = IntFlag(f, "duration-s", 3600) * 1000 / opt.interval_ms;
  const uint32_t shards = static_cast<uint32_t>(IntFlag(f, "shards", 8));
  const int64_t batch_samples = IntFlag(f, "batch-samples", 2000);
  const int64_t window_ms = IntFlag(f, "window-s", 1800) * 1000;
  const std::string out = StrFlag(f, "out");
  if (out.empty() || shards == 0 || batch_samples <= 0 || window_ms <= 0) {
    std::fprintf(stderr, "gen: --out is required; shards, batch-samples, window-s must be > 0\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  NodeDataGenerator gen(opt);
  std::vector<std::string> enc_labels(gen.num_series());
  std::vector<uint32_t> shard_of(gen.num_series());
  for (int64_t s = 0; s < gen.num_series(); ++s) {
    enc_labels[s] = EncodeTimeSeriesLabels(gen.labels(s));
    shard_of[s] = static_cast<uint32_t>(Mix(static_cast<uint64_t>(s) + 1) % shards);
  }
  BatchFileWriter writer;
  std::string error;
  if (!writer.Open(out, &error)) {
    std::fprintf(stderr, "gen: %s\n", error.c_str());
    return 1;
  }
  std::vector<WriteRequestBuilder> builders(shards);
  BatchFileHeader header;
  header.num_shards = shards;
  header.num_series = gen.num_series();
  header.min_ts = INT64_MAX;
  header.max_ts = INT64_MIN;
  int64_t raw_bytes = 0;
  bool ok = true;
  uint32_t window = 0;
  auto flush = [&](uint32_t s) {
    WriteRequestBuilder& b = builders[s];
    if (b.num_samples() == 0) return;
    const uint32_t n = static_cast<uint32_t>(b.num_samples());
    raw_bytes += static_cast<int64_t>(b.raw().size());
    ok = writer.Append(s, window, n, b.FinishCompressed()) && ok;
  };
  for (int64_t k = 0; k < steps; ++k) {
    const uint32_t w = static_cast<uint32_t>(k * opt.interval_ms / window_ms);
    if (w != window) {
      for (uint32_t s = 0; s < shards; ++s) flush(s);
      window = w;
    }
    gen.NextStep([&](int64_t series, int64_t ts, double v) {
      const uint32_t s = shard_of[series];
      builders[s].Add(enc_labels[series], ts, v);
      header.min_ts = std::min(header.min_ts, ts);
      header.max_ts = std::max(header.max_ts, ts);
      ++header.num_samples;
      if (builders[s].num_samples() >= batch_samples) flush(s);
    });
  }
  for (uint32_t s = 0; s < shards; ++s) flush(s);
  header.num_windows = window + 1;
  if (!ok || !writer.Close(header, &error)) {
    std::fprintf(stderr, "gen: writing %s failed %s\n", out.c_str(), error.c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "{\"series\": %" PRId64 ", \"samples\": %" PRId64 ", \"batches\": %" PRId64
      ", \"file_bytes\": %" PRId64 ", \"raw_bytes\": %" PRId64 ", \"min_ts\": %" PRId64
      ", \"max_ts\": %" PRId64 ", \"windows\": %u, \"shards\": %u, \"seconds\": %.3f}\n",
      header.num_series, header.num_samples, writer.num_batches(), writer.bytes_written(), raw_bytes,
      header.min_ts, header.max_ts, header.num_windows, shards, secs);
  return 0;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

int Send(const Flags& f) {
  const std::string url = StrFlag(f, "url");
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "send: --url http://HOST:PORT/PATH is required\n");
    return 2;
  }
  const std::string rest = url.substr(prefix.size());
  const size_t slash = rest.find('/');
  const std::string hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  SendOptions opt;
  opt.host = hostport.substr(0, colon);
  opt.port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  opt.path = slash == std::string::npos ? "/" : rest.substr(slash);
  opt.sync_windows = f.count("no-sync") == 0;
  LoadedBatchFile file;
  std::string error;
  if (!LoadBatchFile(StrFlag(f, "file"), &file, &error)) {
    std::fprintf(stderr, "send: %s\n", error.c_str());
    return 1;
  }
  const SendStats st = SendBatches(file, opt);
  const double rate = st.seconds > 0 ? static_cast<double>(st.samples_ok) / st.seconds : 0;
  std::printf(
      "{\"samples_ok\": %" PRId64 ", \"samples_rejected\": %" PRId64 ", \"batches_ok\": %" PRId64
      ", \"batches_rejected\": %" PRId64 ", \"batches_failed\": %" PRId64 ", \"retries\": %" PRId64
      ", \"body_bytes\": %" PRId64 ", \"seconds\": %.3f, \"samples_per_s\": %.1f, "
      "\"senders\": %u, \"first_error\": \"%s\"}\n",
      st.samples_ok, st.samples_rejected, st.batches_ok, st.batches_rejected, st.batches_failed,
      st.retries, st.body_bytes, st.seconds, rate, file.header.num_shards,
      JsonEscape(st.first_error).c_str());
  return st.batches_failed == 0 ? 0 : 1;
}

int Sink(const Flags& f) {
  const std::string listen = StrFlag(f, "listen", "127.0.0.1:9999");
  const size_t colon = listen.rfind(':');
  NullSinkOptions opt;
  opt.host = listen.substr(0, colon);
  opt.port = static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)));
  opt.fail_every = static_cast<int>(IntFlag(f, "fail-every", 0));
  const std::string error = RunNullSink(opt);
  std::fprintf(stderr, "sink: %s\n", error.c_str());
  return 1;
}

int Dump(const Flags& f) {
  NodeDataOptions opt;
  opt.num_series = IntFlag(f, "series", 200);
  opt.start_ms = IntFlag(f, "start-ms", 0);
  const int64_t steps = IntFlag(f, "steps", 3);
  NodeDataGenerator gen(opt);
  for (int64_t k = 0; k < steps; ++k) {
    gen.NextStep([&](int64_t s, int64_t ts, double v) {
      std::string text;
      for (const auto& [n, val] : gen.labels(s)) text += n + "=\"" + val + "\",";
      std::printf("{%s} %.17g %" PRId64 "\n", text.c_str(), v, ts);
    });
  }
  return 0;
}

}  // namespace
}  // namespace tidemark::e2e

int main(int argc, char** argv) {
  using namespace tidemark::e2e;
  Flags flags;
  if (argc < 2 || !ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr, "usage: tm_e2e_load gen|send|sink|dump [--flag value]...\n");
    return 2;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "gen") return Gen(flags);
    if (cmd == "send") return Send(flags);
    if (cmd == "sink") return Sink(flags);
    if (cmd == "dump") return Dump(flags);
  } catch (const std::exception& e) {  // std::stoll on a bad flag value
    std::fprintf(stderr, "%s: %s\n", cmd.c_str(), e.what());
    return 2;
  }
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
