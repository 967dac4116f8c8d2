// Waiting in a test for a state another thread brings about, without timing anything: polls
// until `pred` holds; the one-minute bound only keeps a broken test from hanging.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace tidemark::testing {

inline bool WaitUntil(const std::function<bool()>& pred) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace tidemark::testing
