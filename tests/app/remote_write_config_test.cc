// remote_write YAML decoding: Prometheus' field names and defaults, Tidemark's own keys, and the
// keys Tidemark cannot honour refused with their name.
#include "remote_write_config.h"

#include <gtest/gtest.h>

namespace tidemark::app {
namespace {

Result<std::vector<ingest::RemoteWriteConfig>> Parse(const std::string& yaml) {
  return ParseRemoteWriteSection(YAML::Load(yaml), "");
}

std::string Error(const std::string& yaml) {
  auto r = Parse(yaml);
  return r.ok() ? "" : r.status().message();
}

TEST(RemoteWriteConfigTest, ReadsFieldsAndPrometheusDefaults) {
  auto got = Parse(R"yaml(
- url: http://127.0.0.1:9/api/v1/write
- url: https://mimir.example/api/v1/push
  name: mimir
  remote_timeout: 10s
  headers: {X-Scope-OrgID: edge}
  bearer_token: s3cret
  write_relabel_configs:
    - source_labels: [__name__]
      regex: go_.*
      action: drop
  queue_config:
    capacity: 500
    min_shards: 2
    max_shards: 4
    max_samples_per_send: 100
    batch_send_deadline: 1s
    min_backoff: 10ms
    max_backoff: 1s
    retry_on_http_429: true
    sample_age_limit: 30m
  protobuf_message: prometheus.WriteRequest
  send_exemplars: false
  metadata_config: {send: false}
  send_rule_series: false
)yaml");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  const auto& d = (*got)[0];
  EXPECT_EQ(d.name.size(), 6u);  // a hash of the URL
  EXPECT_EQ(d.remote_timeout_ms, 30'000);
  EXPECT_EQ(d.queue.capacity, 10000);
  EXPECT_EQ(d.queue.max_shards, 50);
  EXPECT_EQ(d.queue.min_shards, 1);
  EXPECT_EQ(d.queue.max_samples_per_send, 2000);
  EXPECT_EQ(d.queue.batch_send_deadline_ms, 5000);
  EXPECT_EQ(d.queue.min_backoff_ms, 30);
  EXPECT_EQ(d.queue.max_backoff_ms, 5000);
  EXPECT_FALSE(d.queue.retry_on_http_429);
  EXPECT_EQ(d.max_backlog_age_ms, 2 * 3600'000);
  EXPECT_TRUE(d.send_rule_series);
  const auto& m = (*got)[1];
  EXPECT_EQ(m.name, "mimir");
  EXPECT_EQ(m.remote_timeout_ms, 10'000);
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].first, "X-Scope-OrgID");
  EXPECT_EQ(m.http.auth_type, "Bearer");
  ASSERT_EQ(m.write_relabel_configs.size(), 1u);
  EXPECT_EQ(m.write_relabel_configs[0].action, relabel::Action::kDrop);
  EXPECT_EQ(m.queue.capacity, 500);
  EXPECT_EQ(m.queue.min_shards, 2);
  EXPECT_EQ(m.queue.max_shards, 4);
  EXPECT_EQ(m.queue.max_samples_per_send, 100);
  EXPECT_EQ(m.queue.batch_send_deadline_ms, 1000);
  EXPECT_EQ(m.queue.min_backoff_ms, 10);
  EXPECT_EQ(m.queue.max_backoff_ms, 1000);
  EXPECT_TRUE(m.queue.retry_on_http_429);
  EXPECT_EQ(m.max_backlog_age_ms, 30 * 60'000);  // sample_age_limit is the tighter bound
  EXPECT_FALSE(m.send_rule_series);
  // The emitted config hides secrets.
  YAML::Emitter e;
  e << YAML::BeginMap;
  EmitRemoteWriteSection(e, *got);
  e << YAML::EndMap;
  EXPECT_EQ(std::string(e.c_str()).find("s3cret"), std::string::npos);
}

TEST(RemoteWriteConfigTest, ProtobufMessageChoosesTheWireVersion) {
  auto got = Parse(R"yaml(
- url: http://127.0.0.1:9/a
- url: http://127.0.0.1:9/b
  protobuf_message: prometheus.WriteRequest
- url: http://127.0.0.1:9/c
  protobuf_message: io.prometheus.write.v2.Request
)yaml");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_FALSE((*got)[0].write_v2);
  EXPECT_FALSE((*got)[1].write_v2);
  EXPECT_TRUE((*got)[2].write_v2);
  YAML::Emitter e;
  e << YAML::BeginMap;
  EmitRemoteWriteSection(e, *got);
  e << YAML::EndMap;
  const YAML::Node shown = YAML::Load(e.c_str());
  EXPECT_EQ(shown["remote_write"][0]["protobuf_message"].as<std::string>(), "prometheus.WriteRequest");
  EXPECT_EQ(shown["remote_write"][2]["protobuf_message"].as<std::string>(), "io.prometheus.write.v2.Request");
}

TEST(RemoteWriteConfigTest, RefusesWhatTidemarkCannotHonourByName) {
  const std::string url = "- url: http://127.0.0.1:9/w\n";
  EXPECT_NE(Error(url + "  send_exemplars: true\n").find("send_exemplars"), std::string::npos);
  EXPECT_NE(Error(url + "  send_native_histograms: true\n").find("send_native_histograms"), std::string::npos);
  EXPECT_NE(Error(url + "  protobuf_message: nope\n").find("invalid protobuf_message"), std::string::npos);
  EXPECT_NE(Error(url + "  sigv4: {region: x}\n").find("sigv4"), std::string::npos);
  EXPECT_NE(Error(url + "  metadata_config: {send: true}\n").find("metadata_config.send"), std::string::npos);
  EXPECT_NE(Error(url + "  metadata_config: {}\n").find("metadata_config.send"), std::string::npos);
  EXPECT_NE(Error(url + "  bogus: 1\n").find("bogus"), std::string::npos);
  EXPECT_NE(Error(url + "  queue_config: {bogus: 1}\n").find("queue_config.bogus"), std::string::npos);
  EXPECT_NE(Error(url + "  headers: {Content-Type: x}\n").find("reserved header"), std::string::npos);
  EXPECT_NE(Error(url + "  headers: {authorization: x}\n").find("authorization header"), std::string::npos);
  EXPECT_NE(Error(url + "  queue_config: {min_shards: 5, max_shards: 2}\n").find("min_shards"),
            std::string::npos);
  EXPECT_NE(Error(url + "  oauth2: {client_id: a}\n"), "");
  EXPECT_NE(Error("- name: x\n").find("url for remote_write is empty"), std::string::npos);
  EXPECT_NE(Error(url + url).find("multiple remote write configs"), std::string::npos);
  EXPECT_EQ(Error(url + "  send_exemplars: false\n  metadata_config: {send: false}\n"), "");
}

}  // namespace
}  // namespace tidemark::app
