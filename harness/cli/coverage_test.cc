#include "harness/cli/coverage.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(Coverage, CatalogueIdsAreBAndTwoOrMoreDigits) {
  // The catalogue grows in ranges handed out per engineer: B07, B97, B250.
  absl::StatusOr<std::vector<Behaviour>> b = ParseBehaviours(
      "b.tsv", "# id\tname\tsources\nB07\tshort read\trecv(2)\nB250\taccept4\taccept(2)\n");
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[1].id, "B250");
  EXPECT_EQ((*b)[1].name, "accept4");
}

TEST(Coverage, AMalformedCatalogueLineIsAnErrorAtItsLine) {
  EXPECT_EQ(ParseBehaviours("b.tsv", "B07\tx\ty\nB2x0\tname\tsrc\n").status().message(),
            "b.tsv:2:1: error: expected 'Bnn<TAB>name<TAB>sources'");
  EXPECT_FALSE(ParseBehaviours("b.tsv", "B7\tx\ty\n").ok());
}

}  // namespace
}  // namespace sockspec
