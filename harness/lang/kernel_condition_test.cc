// `on linux < 6.5 = ...` lines: parsed, printed back, and judged against the
// kernel the case is lowered for ($SOCKSPEC_KERNEL_VERSION here, set before
// the first lowering of this test binary).
#include <cerrno>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "harness/lang/case.h"
#include "harness/lang/frontend.h"
#include "harness/lang/parser.h"

namespace sockspec {
namespace {

constexpr char kCase[] =
    "title \"t\"\ncovers B01\nsource \"s\"\n"
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\n"
    "A: setsockopt(a, SOL_SOCKET, SO_PASSPIDFD, 1) = 0\n"
    "   on linux < 6.5 = ENOPROTOOPT  because \"since 6.5\"\n"
    "   on linux >= 6.12 = EINVAL  because \"made up, never holds first\"\n";

TEST(KernelCondition, ParsesAndPrintsBack) {
  DiagnosticSink sink;
  Case c = ParseCase(Source("t.case", kCase), &sink);
  ASSERT_TRUE(sink.Take().empty());
  const PlatformLine& line = c.steps[1].platforms[0];
  EXPECT_EQ(line.platforms[0].name, "linux");
  EXPECT_EQ(line.version_op, "<");
  EXPECT_EQ(line.version, "6.5");
  EXPECT_NE(PrintCase(c).find("   on linux < 6.5 = ENOPROTOOPT because \"since 6.5\"\n"),
            std::string::npos) << PrintCase(c);
}

TEST(KernelCondition, TheFirstConditionThatHoldsForTheKernelIsLinuxsAnswer) {
  // Judged as 6.1: `< 6.5` holds, `>= 6.12` does not.
  LoadedCase c = LoadCase("t.case", kCase, "linux");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[1];
  ASSERT_EQ(op.expect.any_of.size(), 1u);
  EXPECT_EQ(op.expect.any_of[0].err, ENOPROTOOPT);
  // Other platforms keep Linux's main answer as their default.
  LoadedCase g = LoadCase("t.case", kCase, "gvisor");
  ASSERT_TRUE(g.errors.empty());
  EXPECT_EQ(g.plans[0].ops[1].expect.any_of[0].kind, Outcome::Kind::kReturn);
}

TEST(KernelCondition, OnlyLinuxHasVersionsAndOnlyOnePlatformTakesOne) {
  std::string other = std::string(kCase).replace(
      std::string(kCase).find("on linux < 6.5"), 14, "on gvisor < 6.5");
  LoadedCase c = LoadCase("t.case", other, "linux");
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(c.errors[0].message,
            "a kernel version condition applies to 'linux' only, not 'gvisor'");
  std::string two = std::string(kCase).replace(
      std::string(kCase).find("on linux < 6.5"), 14, "on linux, darwin < 6.5");
  DiagnosticSink sink;
  ParseCase(Source("t.case", two), &sink);
  std::vector<Diagnostic> errors = sink.Take();
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].message, "a kernel version condition follows a single platform");
}

}  // namespace
}  // namespace sockspec

int main(int argc, char** argv) {
  setenv("SOCKSPEC_KERNEL_VERSION", "6.1", 1);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
