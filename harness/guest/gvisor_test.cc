#include "harness/guest/gvisor_guest.h"

#include <cstdlib>
#include <fstream>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(Gvisor, CommandRunsTheSameBinaryInsideOneSandbox) {
  RunConfig config;
  config.jobs = 2;
  EXPECT_THAT(GvisorCommand("/usr/bin/runsc", "/bin/sockspec",
                            InnerRunArguments("gvisor", {"cases/a.case"}, config)),
              ElementsAre("/usr/bin/runsc", "--network=none", "--platform=ptrace",
                          "--ignore-cgroups", "do", "-quiet", "/bin/sockspec", "run",
                          "--inner-run=gvisor", "--jobs=2", "--repeat=1", "--",
                          "cases/a.case"));
}

TEST(Gvisor, MissingRunscIsAClearPrecondition) {
  setenv("SOCKSPEC_RUNSC", "/no/such/runsc", 1);
  absl::StatusOr<std::string> runsc = FindRunsc();
  std::unique_ptr<Guest> guest = MakeGvisorGuest();
  absl::Status prerequisites = guest->CheckPrerequisites();
  unsetenv("SOCKSPEC_RUNSC");
  ASSERT_FALSE(runsc.ok());
  EXPECT_EQ(runsc.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(runsc.status().message(), HasSubstr("/no/such/runsc is not an executable"));
  EXPECT_EQ(prerequisites, runsc.status());
  // Without runsc's version the system is known only by its platform.
  EXPECT_EQ(guest->System(), "gvisor");
  EXPECT_EQ(guest->Platform(), "gvisor");
}

TEST(Gvisor, SystemNameIsTheReleaseDateOfRunsc) {
  EXPECT_EQ(GvisorSystemName("runsc version 0.0~20221219.0"), "gvisor-20221219");
  EXPECT_EQ(GvisorSystemName("runsc version release-20240101.0"), "gvisor-20240101");
  EXPECT_EQ(GvisorSystemName("runsc version 123"), "gvisor");
  EXPECT_EQ(GvisorSystemName(""), "gvisor");
}

TEST(Gvisor, KernelBannerIsRecognised) {
  // The sentry reports a fixed 4.4.0 kernel.
  EXPECT_TRUE(IsGvisorKernelBanner(
      "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016"));
  EXPECT_FALSE(IsGvisorKernelBanner(
      "Linux version 6.18.0 (gcc 12) #1 SMP PREEMPT_DYNAMIC"));
}

}  // namespace
}  // namespace sockspec
