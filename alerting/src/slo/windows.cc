// Sloth's 30d alert windows (SRE workbook multi-window multi-burn-rate table) and SLI windows.
#include <array>
#include <regex>

#include "tidemark/alerting/slo.h"

namespace tidemark::alerting {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kPeriod = 30 * kDay;

// Sloth's getBurnRateFactor: the speed that spends `percent` of the period's budget in `window`.
constexpr double BurnFactor(double percent, int64_t window_ms) {
  const double period_hours = static_cast<double>(kPeriod) / kHour;
  return percent * period_hours / 100 / (static_cast<double>(window_ms) / kHour);
}

constexpr SloAlertWindow Window(std::string_view severity, std::string_view short_name,
                                int64_t short_ms, std::string_view long_name, int64_t long_ms,
                                double percent) {
  return {severity, short_name, long_name, short_ms, long_ms, percent, BurnFactor(percent, long_ms)};
}

// Sloth's internal/alert/windows/google-30d.yaml.
constexpr std::array<SloAlertWindow, 4> kAlertWindows = {
    Window("page", "5m", 5 * kMinute, "1h", kHour, 2),
    Window("page", "30m", 30 * kMinute, "6h", 6 * kHour, 5),
    Window("ticket", "2h", 2 * kHour, "1d", kDay, 10),
    Window("ticket", "6h", 6 * kHour, "3d", 3 * kDay, 10),
};

// The distinct windows of kAlertWindows, shortest first (Sloth's TimeDurationWindows).
constexpr std::array<SloSliWindow, 7> kSliWindows = {{
    {"5m", 5 * kMinute},
    {"30m", 30 * kMinute},
    {"1h", kHour},
    {"2h", 2 * kHour},
    {"6h", 6 * kHour},
    {"1d", kDay},
    {"3d", 3 * kDay},
}};

}  // namespace

std::span<const SloAlertWindow> SloAlertWindows() { return kAlertWindows; }
std::span<const SloSliWindow> SloSliWindows() { return kSliWindows; }

std::string SloQueryForWindow(std::string_view query, std::string_view window) {
  static const std::regex kWindowVar(R"(\{\{ *\.window *\}\})");
  return std::regex_replace(std::string(query), kWindowVar, std::string(window));
}

}  // namespace tidemark::alerting
