#include "harness/gvisor.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(Gvisor, CommandRunsTheSameBinaryInsideOneSandbox) {
  EXPECT_THAT(GvisorCommand("/usr/bin/runsc", "/bin/sockspec",
                            {"--jobs=2", "cases"}),
              ElementsAre("/usr/bin/runsc", "--network=none", "--platform=ptrace",
                          "--ignore-cgroups", "do", "-quiet", "/bin/sockspec", "run",
                          "--sandboxed=gvisor", "--jobs=2", "cases"));
}

TEST(Gvisor, MissingRunscIsAClearPrecondition) {
  setenv("SOCKSPEC_RUNSC", "/no/such/runsc", 1);
  absl::StatusOr<std::string> runsc = FindRunsc();
  unsetenv("SOCKSPEC_RUNSC");
  ASSERT_FALSE(runsc.ok());
  EXPECT_EQ(runsc.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(runsc.status().message(), HasSubstr("/no/such/runsc is not an executable"));
}

}  // namespace
}  // namespace sockspec
