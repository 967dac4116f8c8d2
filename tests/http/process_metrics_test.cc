// process_* collector: parsing of /proc text, and a read of this test process.
#include "tidemark/http/process_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ctime>

namespace tidemark::http {
namespace {

// A /proc/<pid>/stat line whose command name holds spaces and a ')'.
constexpr const char* kStat =
    "4242 (tide mark) x) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 150 0 0 20 0 9 0 "
    "12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesStatAfterTheLastParenthesis) {
  ProcessStats s;
  ASSERT_TRUE(ParseProcStat(kStat, /*ticks_per_second=*/100, /*page_size=*/4096,
                            /*boot_time_s=*/1'700'000'000, &s).ok());
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 4.0);                      // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(s.start_time_seconds, 1'700'000'123.45);  // boot + 12345 / 100
  EXPECT_DOUBLE_EQ(s.virtual_bytes, 104857600);
  EXPECT_DOUBLE_EQ(s.resident_bytes, 2560.0 * 4096);
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 2", 100, 4096, 0, &s).ok());
  EXPECT_FALSE(ParseProcStat("no parenthesis", 100, 4096, 0, &s).ok());
}

TEST(ProcessMetricsTest, ParsesBootTimeAndFdLimit) {
  auto boot = ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1699990000\nprocesses 9\n");
  ASSERT_TRUE(boot.ok());
  EXPECT_EQ(*boot, 1699990000);
  EXPECT_FALSE(ParseBootTime("cpu 1\n").ok());
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  auto fds = ParseMaxOpenFiles(limits);
  ASSERT_TRUE(fds.ok());
  EXPECT_EQ(*fds, 1024);
  auto unlimited = ParseMaxOpenFiles("Max open files            unlimited            unlimited            files\n");
  ASSERT_TRUE(unlimited.ok());
  EXPECT_TRUE(std::isinf(*unlimited));
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  auto s = ReadProcessStats();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT(s->resident_bytes, 0);
  EXPECT_GE(s->virtual_bytes, s->resident_bytes);
  EXPECT_GE(s->open_fds, 3);  // at least stdin, stdout, stderr (and the directory being listed)
  EXPECT_GE(s->max_fds, s->open_fds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(s->start_time_seconds, now + 1);
  EXPECT_GT(s->start_time_seconds, now - 86400);  // this test binary did not start a day ago
  std::string out;
  AppendProcessMetrics(out, *s);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    EXPECT_NE(out.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace tidemark::http
