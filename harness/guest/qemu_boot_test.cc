#include "harness/guest/qemu_boot.h"

#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(QemuBoot, SystemNameKeepsVersionAndDebianAbi) {
  EXPECT_EQ(QemuSystemName("6.1.0-28-cloud-amd64"), "linux-6.1.0-28-qemu");
  EXPECT_EQ(QemuSystemName("6.12.9+deb12-cloud-amd64"), "linux-6.12.9-qemu");
  EXPECT_EQ(QemuSystemName("6.18.0"), "linux-6.18.0-qemu");
}

TEST(QemuBoot, ConsoleFailureFindsPanicWithoutTimestampOrEscapes) {
  const std::string console =
      "\033[2J\033[1;1HSeaBIOS (version 1.16)\r\n"
      "[    0.000000] Linux version 6.1.0\r\n"
      "[    3.188684] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n"
      "[    3.196001] Call Trace:\r\n";
  EXPECT_EQ(ConsoleFailure(console),
            "Kernel panic - not syncing: VFS: Unable to mount root fs");
  EXPECT_EQ(ConsoleFailure("[ 1.0] BUG: kernel NULL pointer dereference\n"),
            "BUG: kernel NULL pointer dereference");
  EXPECT_EQ(ConsoleFailure("[ 1.0] all well\n"), "");
}

TEST(QemuBoot, ConsoleTailDropsEscapesAndTrailingBlankLines) {
  EXPECT_EQ(ConsoleTail("a\r\nb\r\n\033[0mc\r\n\r\n", 2), "b\nc");
}

TEST(QemuBoot, ResultLinesKeepOutcomesAndProtocolAcrossPartialReads) {
  ResultStream stream;
  size_t consumed = 0;
  // SeaBIOS's escapes can precede the first line; a line arrives in pieces.
  std::string text = "\033[0m{\"sockspec\":\"started\",\"release\":\"6.1.0-28-cloud-amd64\"}\n"
                     "{\"path\":\"cases/x.case\",\"instance\":\"\",\"verdict\":\"PA";
  ReadResultLines(text, consumed, stream);
  EXPECT_TRUE(stream.started);
  EXPECT_EQ(stream.release, "6.1.0-28-cloud-amd64");
  EXPECT_TRUE(stream.outcomes.empty());
  text += "SS\"}\n{\"sockspec\":\"done\",\"exit\":0}\n";
  ReadResultLines(text, consumed, stream);
  ASSERT_EQ(stream.outcomes.size(), 1u);
  EXPECT_EQ(stream.outcomes[0].path, "cases/x.case");
  EXPECT_EQ(stream.outcomes[0].verdict, Verdict::kPass);
  EXPECT_TRUE(stream.done);
  EXPECT_EQ(stream.exit_code, 0);
  EXPECT_EQ(stream.error, "");
}

TEST(QemuBoot, QemuCommandPutsConsoleFirstAndResultsSecond) {
  QemuSettings s;
  s.qemu = "qemu-system-x86_64";
  s.kernel = "vmlinuz";
  s.initrd = "initrd";
  s.console_file = "c.log";
  s.results_file = "r.log";
  s.append = "rdinit=/x";
  std::vector<std::string> argv = QemuCommand(s);
  std::string joined;
  for (const std::string& a : argv) joined += a + " ";
  EXPECT_NE(joined.find("-accel tcg -cpu max -smp 1 -m 512 "), std::string::npos) << joined;
  EXPECT_NE(
      joined.find("-append console=ttyS0 panic=-1 oops=panic quiet no_timer_check rdinit=/x "),
      std::string::npos)
      << joined;
  EXPECT_NE(joined.find("-serial file:c.log -serial file:r.log"), std::string::npos) << joined;
}

// The fuzzers' server speaks over the second port: qemu's stdin and stdout.
TEST(QemuBoot, QemuCommandPutsTheSecondPortOnStdioForAServer) {
  QemuSettings s;
  s.qemu = "qemu-system-x86_64";
  s.console_file = "c.log";
  s.results_file = "r.log";
  s.results_on_stdio = true;
  std::vector<std::string> argv = QemuCommand(s);
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(argv.end() - 4, argv.end()),
            (std::vector<std::string>{"-serial", "file:c.log", "-serial", "stdio"}));
}

TEST(QemuBoot, BzImageReleaseRejectsAnythingElse) {
  absl::StatusOr<std::string> r = BzImageRelease("/proc/self/exe");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is not a bzImage (no HdrS header)"),
            std::string::npos);
}

}  // namespace
}  // namespace sockspec
