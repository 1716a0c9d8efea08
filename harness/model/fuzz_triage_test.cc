#include "harness/model/fuzz_triage.h"

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

}  // namespace
}  // namespace sockspec
