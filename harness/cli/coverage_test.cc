#include "harness/cli/coverage.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(ParseBehaviours, AcceptsIdsOfTwoOrMoreDigits) {
  // The catalogue grew past B99: issue ranges are B100-B199.
  absl::StatusOr<std::vector<Behaviour>> b = ParseBehaviours(
      "b.tsv", "# id\tname\tsources\nB07\tseven\tx(2)\nB160\tsignals\tsignal(7)\n");
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[1].id, "B160");
}

TEST(ParseBehaviours, RejectsAnIdThatIsNotBAndDigits) {
  absl::StatusOr<std::vector<Behaviour>> b =
      ParseBehaviours("b.tsv", "B1x\tbad\tx\n");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "b.tsv:1:1: error: expected 'Bnn<TAB>name<TAB>sources'");
}

}  // namespace
}  // namespace sockspec
