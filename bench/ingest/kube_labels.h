// The label set the ingest benchmarks send for series `s`: shaped like node_exporter/kube
// metrics (10 labels); callers choose the instance and pod values, which set how many series
// are distinct.
#pragma once

#include <string>
#include <utility>

#include "support/pb_encoder.h"

namespace tidemark::bench {

inline ingest::testing::LabelPairs KubeLabels(int s, std::string instance, std::string pod) {
  return {{"__name__", s % 4 == 0   ? "node_cpu_seconds_total"
                       : s % 4 == 1 ? "node_network_receive_bytes_total"
                       : s % 4 == 2 ? "http_request_duration_seconds_bucket"
                                    : "container_memory_working_set_bytes"},
          {"cluster", "prod-eu-west-1"},
          {"container", "app-" + std::to_string(s % 13)},
          {"cpu", std::to_string(s % 16)},
          {"instance", std::move(instance)},
          {"job", "kubernetes-pods"},
          {"mode", s % 2 ? "user" : "system"},
          {"namespace", "payments"},
          {"pod", std::move(pod)}};
}

}  // namespace tidemark::bench
