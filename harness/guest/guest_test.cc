#include "harness/guest/guest.h"

#include <sys/utsname.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/guest/host_guest.h"
#include "harness/guest/runner.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::StartsWith;

TEST(Guest, UnknownNameListsTheKnownGuests) {
  absl::StatusOr<std::unique_ptr<Guest>> g = MakeGuest("bochs");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "unknown guest 'bochs' (known: command:CMD, gvisor, qemu:KERNEL)");
}

TEST(Guest, QemuNeedsAKernelAndIsJudgedAsLinux) {
  absl::StatusOr<std::unique_ptr<Guest>> g = MakeGuest("qemu");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->Platform(), "linux");
  EXPECT_EQ((*g)->System(), "linux");  // the version comes with the kernel
  absl::Status s = (*g)->CheckPrerequisites();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "qemu needs a kernel: --under=qemu:PATH (a bzImage/vmlinuz or a "
            "linux-image-*.deb; bash ci/kernel.sh 6.1 fetches one)");
}

TEST(Guest, FactoryMakesGvisorWithItsPlatform) {
  absl::StatusOr<std::unique_ptr<Guest>> g = MakeGuest("gvisor");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->Platform(), "gvisor");
}

TEST(Guest, InnerRunArgumentsCarryTheRunConfig) {
  RunConfig config;
  config.jobs = 3;
  config.repeat = 2;
  config.exec.step_timeout_ms = 300;
  config.exec.deadline_scale = 2.5;
  config.filter = "SOCK_STREAM";
  EXPECT_THAT(InnerRunArguments("gvisor", {"a.case", "-b.case"}, config),
              ElementsAre("run", "--inner-run=gvisor", "--jobs=3", "--repeat=2",
                          "--step-timeout=300", "--deadline-scale=2.5",
                          "--filter=SOCK_STREAM", "--",
                          "a.case", "-b.case"));
}

TEST(Guest, InnerRunArgumentsCarrySpreadCpus) {
  RunConfig config;
  config.spread_cpus = true;
  EXPECT_THAT(InnerRunArguments("gvisor", {"a.case"}, config),
              ElementsAre("run", "--inner-run=gvisor", "--jobs=1", "--repeat=1",
                          "--spread-cpus", "--", "a.case"));
}

TEST(Guest, InnerRunArgumentsCarryFreshPeers) {
  RunConfig config;
  config.fresh_peers = true;
  EXPECT_THAT(InnerRunArguments("gvisor", {"a.case"}, config),
              ElementsAre("run", "--inner-run=gvisor", "--jobs=1", "--repeat=1",
                          "--fresh-peers", "--", "a.case"));
}

TEST(Guest, InnerRunOfAnotherPlatformIsRefused) {
  // This test runs on Linux, not inside gVisor.
  absl::Status s = CheckInnerRun("gvisor");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("the platform was detected as 'linux'"));
  EXPECT_EQ(CheckInnerRun("plan9").code(), absl::StatusCode::kInvalidArgument);
}

TEST(HostGuest, SystemNameIsPlatformAndRelease) {
  EXPECT_EQ(HostSystemName("linux", "6.18.44-fc-v657"), "linux-6.18.44");
  EXPECT_EQ(HostSystemName("linux", "6.1.0-18-cloud-amd64"), "linux-6.1.0");
  EXPECT_EQ(HostSystemName("linux", "weird"), "linux");
}

TEST(HostGuest, RunsTheCasesInThisProcess) {
  std::unique_ptr<Guest> host = MakeHostGuest();
  EXPECT_EQ(host->Platform(), "linux");
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  EXPECT_EQ(host->System(), HostSystemName("linux", u.release));
  EXPECT_TRUE(host->CheckPrerequisites().ok());
  RunConfig config;
  absl::StatusOr<GuestRun> run = host->Run({"harness/testdata/passes.case"}, config);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->outcomes.size(), 1u);
  EXPECT_EQ(run->outcomes[0].verdict, Verdict::kPass);
  EXPECT_THAT(run->version, StartsWith("Linux "));
  EXPECT_GT(run->seconds, 0);
}

TEST(Guest, InnerRunArgumentsCarryTheShard) {
  RunConfig config;
  config.shard_count = 3;
  config.shard_index = 1;
  EXPECT_THAT(InnerRunArguments("gvisor", {"a.case"}, config),
              ElementsAre("run", "--inner-run=gvisor", "--jobs=1", "--repeat=1",
                          "--shard-count=3", "--shard-index=1", "--", "a.case"));
}

TEST(Filter, ANameFromListSelectsExactlyItsInstance) {
  const std::string name = "cases/close/x.case [SOCK_DGRAM/abstract]";
  EXPECT_TRUE(FilterMatches(name, name));
  EXPECT_FALSE(FilterMatches(name, "cases/close/x.case [SOCK_DGRAM/abstract2]"));
  EXPECT_FALSE(FilterMatches("cases/close/x.case", name));  // whole names only
  EXPECT_TRUE(FilterMatches("", name));
}

TEST(Filter, StarAndQuestionMarkAreTheOnlyWildcards) {
  const std::string name = "cases/close/x.case [SOCK_DGRAM/abstract]";
  EXPECT_TRUE(FilterMatches("*DGRAM*", name));
  EXPECT_TRUE(FilterMatches("cases/*/x.case [*]", name));
  EXPECT_TRUE(FilterMatches("*SOCK_?GRAM/abstract]", name));
  EXPECT_FALSE(FilterMatches("*SEQPACKET*", name));
  EXPECT_FALSE(FilterMatches("*[SOCK_DGRAM]", name));  // brackets are literal
  EXPECT_TRUE(FilterMatches("**", ""));
  EXPECT_FALSE(FilterMatches("?", ""));
}

}  // namespace
}  // namespace sockspec
