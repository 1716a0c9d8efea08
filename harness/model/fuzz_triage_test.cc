#include "harness/model/fuzz_triage.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

// A kernel older than the host: its answers hold below the host's version.
TEST(KernelGuestPlatform, AnOlderGuestIsBelowTheHostsVersion) {
  const KernelGuestNames n =
      KernelGuestPlatform("6.18.44-fc-v1045", "6.1.0-57-cloud-amd64");
  EXPECT_EQ(n.platform, "linux < 6.18");
  EXPECT_EQ(n.name, "linux-6.1");
}

TEST(KernelGuestPlatform, ANewerGuestIsFromItsOwnVersionOn) {
  const KernelGuestNames n =
      KernelGuestPlatform("6.1.0-57-cloud-amd64", "6.12.117+deb12-cloud-amd64");
  EXPECT_EQ(n.platform, "linux >= 6.12");
  EXPECT_EQ(n.name, "linux-6.12");
}

TEST(KernelGuestPlatform, AReleaseWithoutMajorMinorGivesNothing) {
  EXPECT_EQ(KernelGuestPlatform("6.18.44", "gvisor").platform, "");
  EXPECT_EQ(KernelGuestPlatform("6", "6.1.0").platform, "");
}

// A library of three cases: one ops_triage wrote (reworded since), one
// written by hand that names the signature in a source line, one other.
class Library : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(getenv("TEST_TMPDIR")) / "cases";
    std::filesystem::create_directories(dir_ / "fuzz");
    std::filesystem::create_directories(dir_ / "naming");
    Write("fuzz/gvisor-ioctl-siocinq-sock-stream-host-0-guest-enotconn.case",
          "title \"SIOCINQ of an unconnected socket is 0\"\n");
    Write("naming/abstract.case",
          "title \"per type\"\n"
          "source \"fuzz/ops_triage signature: bind[abstract] SOCK_SEQPACKET: "
          "host 0, guest EADDRINUSE\"\n");
    Write("naming/other.case", "title \"other\"\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(Library, FindsTheWrittenFileByNameAndAHandWrittenOneByItsText) {
  EXPECT_EQ(LibraryCaseFor(dir_, "gvisor",
                           "ioctl[SIOCINQ] SOCK_STREAM: host 0, guest ENOTCONN"),
            (dir_ / "fuzz/gvisor-ioctl-siocinq-sock-stream-host-0-guest-enotconn.case")
                .string());
  EXPECT_EQ(LibraryCaseFor(dir_, "gvisor",
                           "bind[abstract] SOCK_SEQPACKET: host 0, guest EADDRINUSE"),
            (dir_ / "naming/abstract.case").string());
  // Another guest's name, another signature, or no library: none.
  EXPECT_EQ(LibraryCaseFor(dir_, "linux-6.1",
                           "ioctl[SIOCINQ] SOCK_STREAM: host 0, guest ENOTCONN"),
            "");
  EXPECT_EQ(LibraryCaseFor(dir_, "gvisor", "poll SOCK_DGRAM: host POLLOUT, guest 0"), "");
  // A signature that only begins another one's is not stated.
  EXPECT_EQ(LibraryCaseFor(dir_, "gvisor", "bind[abstract] SOCK_SEQPACKET: host 0, guest EADDR"),
            "");
  EXPECT_EQ(LibraryCaseFor((dir_ / "absent").string(), "gvisor",
                           "bind[abstract] SOCK_SEQPACKET: host 0, guest EADDRINUSE"),
            "");
}

TEST(TriageTable, SaysWhichSignaturesTheLibraryStates) {
  TriageGroup known;
  known.signature = "poll SOCK_DGRAM: host POLLIN|POLLOUT, guest POLLIN";
  known.count = 3;
  known.minimised_ops = 2;
  known.stable = true;
  known.in_library = "cases/fuzz/x.case";
  TriageGroup fresh = known;
  fresh.signature = "read SOCK_DGRAM: host short, guest full";
  fresh.in_library.clear();
  EXPECT_EQ(TriageTable({known, fresh}, 1, true),
            "| signature | inputs | smallest reproducer | case file | in the library |\n"
            "| --- | --- | --- | --- | --- |\n"
            "| poll SOCK_DGRAM: host POLLIN\\|POLLOUT, guest POLLIN | 3 | 2 ops | - "
            "| cases/fuzz/x.case |\n"
            "| read SOCK_DGRAM: host short, guest full | 3 | 2 ops | - | new |\n"
            "2 distinct signatures from 6 differing inputs; 1 inputs showed no "
            "difference\n"
            "1 of them already stated in the library, 1 new\n");
  // Without a library the column says nothing and the count line is absent.
  EXPECT_EQ(TriageTable({fresh}, 0).find("new"), std::string::npos);
}

}  // namespace
}  // namespace sockspec
