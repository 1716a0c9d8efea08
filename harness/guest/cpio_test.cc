#include "harness/guest/cpio.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(Cpio, EmptyArchiveIsOnlyTheTrailer) {
  CpioWriter cpio;
  std::string a = cpio.Finish();
  // 110-byte header + "TRAILER!!!\0" (11) = 121, padded to 124.
  ASSERT_EQ(a.size(), 124u);
  EXPECT_EQ(a.substr(0, 6), "070701");
  // namesize field (the 12th) is 11: "TRAILER!!!" and its NUL.
  EXPECT_EQ(a.substr(6 + 11 * 8, 8), "0000000B");
  EXPECT_EQ(a.substr(110, 10), "TRAILER!!!");
}

TEST(Cpio, FileEntryHoldsModeSizeNameAndPaddedData) {
  CpioWriter cpio;
  cpio.AddFile("/init", "abcde", 0755);
  std::string a = cpio.Finish();
  EXPECT_EQ(a.substr(6 + 8, 8), "000081ED");      // S_IFREG | 0755
  EXPECT_EQ(a.substr(6 + 6 * 8, 8), "00000005");  // filesize
  EXPECT_EQ(a.substr(6 + 11 * 8, 8), "00000005");  // "init" + NUL
  // 110 + 5 = 115 -> 116; the data starts 4-aligned.
  EXPECT_EQ(a.substr(110, 5), std::string("init\0", 5));
  EXPECT_EQ(a.substr(116, 5), "abcde");
  EXPECT_EQ(a.substr(124, 6), "070701");  // the trailer, 4-aligned
}

// GNU cpio (when installed) reads back what the kernel would unpack: the
// parents made implicitly, the device node, the file contents.
TEST(Cpio, GnuCpioListsEveryEntry) {
  if (system("cpio --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "GNU cpio is not installed";
  }
  CpioWriter cpio;
  cpio.AddDirectory("proc", 0555);
  cpio.AddCharDevice("dev/console", 0600, 5, 1);
  cpio.AddFile("cases/close/x.case", "case x\n", 0644);
  const char* tmp = getenv("TEST_TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/test.cpio";
  std::ofstream(path) << cpio.Finish();
  std::string cmd = "cpio -it --quiet < " + path;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string listing;
  char buf[256];
  while (fgets(buf, sizeof buf, p) != nullptr) listing += buf;
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(listing, "proc\ndev\ndev/console\ncases\ncases/close\ncases/close/x.case\n");
}

}  // namespace
}  // namespace sockspec
