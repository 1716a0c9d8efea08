// Prerequisites are checked in the running process: the open-file limit,
// the kernel version from uname(2), the effective uid and capabilities.
#include "harness/exec/prerequisites.h"

#include <sys/resource.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/os/kernel_version.h"

namespace sockspec {
namespace {

Requirement Make(Requirement::Kind kind, int64_t value = 0) {
  Requirement r;
  r.kind = kind;
  r.value = value;
  return r;
}

TEST(Prerequisites, NofileIsJudgedByTheSoftLimitAndRaisedToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_GE(saved.rlim_max, 200u);
  rlimit low = saved;
  low.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::optional<std::string> why = Unmet(Make(Requirement::Kind::kNofile, 150));
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->rfind("the open-file limit is 100 (hard ", 0), 0u) << *why;
  EXPECT_EQ(RaiseNofileLimit(), static_cast<long>(saved.rlim_max));
  EXPECT_EQ(Unmet(Make(Requirement::Kind::kNofile, 150)), std::nullopt);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

TEST(Prerequisites, KernelVersionComparesWithTheRunningKernel) {
  absl::StatusOr<KernelVersion> running = RunningKernelVersion();
  ASSERT_TRUE(running.ok());
  Requirement r = Make(Requirement::Kind::kKernel);
  r.op = ">=";
  r.version = "2.6";
  EXPECT_EQ(Unmet(r), std::nullopt);
  r.op = "<";
  EXPECT_EQ(Unmet(r),
            absl::StrCat("running ", KernelVersionText(*running)));
}

TEST(Prerequisites, RootIsTheEffectiveUid) {
  std::optional<std::string> why = Unmet(Make(Requirement::Kind::kRoot));
  if (geteuid() == 0) {
    EXPECT_EQ(why, std::nullopt);
  } else {
    EXPECT_EQ(why, absl::StrCat("running as uid ", geteuid()));
  }
}

TEST(Prerequisites, ACapabilityOutsideTheEffectiveSetIsUnmet) {
  // Bit 63 names no capability: never in the effective set.
  EXPECT_EQ(Unmet(Make(Requirement::Kind::kCapability, 63)),
            "not in the effective capability set");
}

TEST(Prerequisites, TheReasonNamesTheRequiresLine) {
  Plan plan;
  Requirement ok = Make(Requirement::Kind::kNofile, 1);
  ok.text = "nofile 1";
  Requirement cap = Make(Requirement::Kind::kCapability, 63);
  cap.text = "CAP_X";
  cap.loc = Location{"cases/x.case", 7, 1};
  plan.requirements = {ok, cap};
  EXPECT_EQ(UnmetPrerequisite(plan),
            "cases/x.case:7: requires CAP_X: not in the effective capability set");
  plan.requirements = {ok};
  EXPECT_EQ(UnmetPrerequisite(plan), std::nullopt);
}

}  // namespace
}  // namespace sockspec
