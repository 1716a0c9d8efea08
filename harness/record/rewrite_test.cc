// Source edits, the unified diff a person reviews, and the atomic rewrite.
#include "harness/record/rewrite.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(ApplyEdits, ReplacesAtLocationsAndKeepsEverythingElse) {
  const std::string text = "# a comment\nA: read(b, 10) = ?   # why\nB: x = ?\n";
  absl::StatusOr<std::string> out = ApplyEdits(
      text, {{{"", 3, 8}, 1, "0"}, {{"", 2, 18}, 1, "m[0:10]"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "# a comment\nA: read(b, 10) = m[0:10]   # why\nB: x = 0\n");
}

TEST(ApplyEdits, RejectsOverlapsAndPlacesOutsideTheText) {
  EXPECT_FALSE(ApplyEdits("abc\n", {{{"", 1, 1}, 2, "x"}, {{"", 1, 2}, 1, "y"}}).ok());
  EXPECT_FALSE(ApplyEdits("abc\n", {{{"", 9, 1}, 1, "x"}}).ok());
  EXPECT_FALSE(ApplyEdits("abc\n", {{{"", 1, 4}, 3, "x"}}).ok());
}

TEST(UnifiedDiff, IsEmptyForEqualTexts) { EXPECT_EQ(UnifiedDiff("x", "a\n", "a\n"), ""); }

TEST(UnifiedDiff, WritesHunksWithThreeLinesOfContextAsDiffDoes) {
  std::string a, b;
  for (int i = 1; i <= 16; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 5 ? std::string("five") : i == 15 ? std::string("fifteen") : std::to_string(i)) + "\n";
  }
  // What `diff -u` prints for these two files.
  EXPECT_EQ(UnifiedDiff("cases/x.case", a, b),
            "--- a/cases/x.case\n+++ b/cases/x.case\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
            "@@ -12,5 +12,5 @@\n 12\n 13\n 14\n-15\n+fifteen\n 16\n");
  // Changes six lines apart or closer share one hunk.
  const std::string c = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  const std::string d = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\ntwelve\n";
  EXPECT_EQ(UnifiedDiff("f", c, d),
            "--- a/f\n+++ b/f\n@@ -2,11 +2,11 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
            " 9\n 10\n 11\n-12\n+twelve\n");
}

TEST(UnifiedDiff, ShowsInsertedLinesAndAMissingFinalNewline) {
  EXPECT_EQ(UnifiedDiff("f", "a\nb", "a\nnew\nb"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+new\n b\n"
            "\\ No newline at end of file\n");
}

std::string Scratch() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/rewriteXXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir + "/x.case";
}

TEST(WriteFileAtomically, ReplacesTheTextAndKeepsThePermissions) {
  const std::string path = Scratch();
  std::ofstream(path) << "old\n";
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  ASSERT_TRUE(WriteFileAtomically(path, "new text\n").ok());
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "new text\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(WriteFileAtomically, AMissingFileIsAnErrorNamingIt) {
  absl::Status s = WriteFileAtomically("/nonexistent-dir/x.case", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("stat /nonexistent-dir/x.case: ENOENT"));
}

}  // namespace
}  // namespace sockspec
