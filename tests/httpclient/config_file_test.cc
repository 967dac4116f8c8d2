// ReadConfigFile: the contents of a *_file field, one trailing newline trimmed, up to 4 MiB.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/status_matchers.h"
#include "tidemark/httpclient/config.h"

namespace tidemark::httpclient {
namespace {

namespace fs = std::filesystem;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tm_cfgfile_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& contents) {
    std::ofstream(dir_ / name, std::ios::binary) << contents;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(ConfigFileTest, TrimsOneTrailingNewline) {
  EXPECT_EQ(*ReadConfigFile(Write("a", "secret\n"), "", "f"), "secret");
  EXPECT_EQ(*ReadConfigFile(Write("b", "secret\r\n"), "", "f"), "secret");
  EXPECT_EQ(*ReadConfigFile(Write("c", "two\nlines\n\n"), "", "f"), "two\nlines\n");
  EXPECT_EQ(*ReadConfigFile(Write("d", ""), "", "f"), "");
}

TEST_F(ConfigFileTest, RelativePathsAreReadFromTheConfigsDirectory) {
  Write("token", "abc");
  EXPECT_EQ(*ReadConfigFile("token", dir_.string(), "f"), "abc");
  auto missing = ReadConfigFile("nope", dir_.string(), "x.password_file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("x.password_file: cannot read file nope"),
            std::string::npos)
      << missing.status().message();
}

// Read in pieces: contents across piece boundaries come back whole, and the cap is exact.
TEST_F(ConfigFileTest, ReadsWholeFilesUpToFourMebibytes) {
  std::string big(4u << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  auto at_cap = ReadConfigFile(Write("cap", big), "", "f");
  ASSERT_OK(at_cap.status());
  EXPECT_EQ(*at_cap, big);
  auto over = ReadConfigFile(Write("over", big + "y"), "", "ca_file");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("ca_file: file " + (dir_ / "over").string() +
                                         " is larger than 4 MiB"),
            std::string::npos)
      << over.status().message();
}

}  // namespace
}  // namespace tidemark::httpclient
