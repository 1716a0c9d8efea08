#include "harness/report/xfail.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::HasSubstr;

TEST(Xfail, ParsesPathInstanceGlobAndReason) {
  absl::StatusOr<XfailList> list = ParseXfailList(
      "g.xfail",
      "# comment\n"
      "\n"
      "close/x.case  because \"no SIGPIPE\"\n"
      "  listen/y.case SOCK_STREAM*  because \"say \\\"refused\\\"\"  # why\n");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->entries.size(), 2u);
  EXPECT_EQ(list->entries[0].path, "close/x.case");
  EXPECT_EQ(list->entries[0].instance_glob, "");
  EXPECT_EQ(list->entries[0].reason, "no SIGPIPE");
  EXPECT_EQ(list->entries[0].line, 3);
  EXPECT_EQ(list->entries[1].instance_glob, "SOCK_STREAM*");
  EXPECT_EQ(list->entries[1].reason, "say \"refused\"");
  EXPECT_EQ(list->entries[1].line, 4);
}

TEST(Xfail, AStepEntryNamesItsLine) {
  absl::StatusOr<XfailList> list = ParseXfailList(
      "g.xfail",
      "close/x.case:14 SOCK_DGRAM/*  because \"EPIPE\"\n"
      "close/x.case  because \"any step\"\n");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->entries.size(), 2u);
  EXPECT_EQ(list->entries[0].path, "close/x.case");
  EXPECT_EQ(list->entries[0].step_line, 14);
  EXPECT_EQ(list->entries[0].instance_glob, "SOCK_DGRAM/*");
  EXPECT_EQ(list->entries[1].step_line, 0);
  // The step entry lists line 14 of the DGRAM instances only; the old form
  // lists every step of every instance.
  const XfailEntry* dgram =
      FindStepXfail(*list, "cases/close/x.case", "SOCK_DGRAM/socketpair", 14);
  ASSERT_NE(dgram, nullptr);
  EXPECT_EQ(dgram->reason, "EPIPE");
  EXPECT_EQ(FindStepXfail(*list, "cases/close/x.case", "SOCK_DGRAM/socketpair", 15)
                ->reason,
            "any step");
  EXPECT_EQ(XfailEntriesFor(*list, "cases/close/x.case", "SOCK_STREAM/socketpair").size(),
            1u);
}

TEST(Xfail, AStepLineMustBeAPositiveNumber) {
  EXPECT_EQ(ParseXfailList("f", "a.case:x1 because \"r\"\n").status().message(),
            "f:1:8: error: expected a step's line number after ':'\n"
            "a.case:x1 because \"r\"\n       ^\n");
  EXPECT_THAT(ParseXfailList("f", "a.case:0 because \"r\"\n").status().message(),
              HasSubstr("f:1:8: error: expected a step's line number after ':'"));
}

TEST(Xfail, MissingBecauseIsAnErrorAtItsColumn) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "ok.case because \"r\"\nx.case SOCK_DGRAM\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(),
            "g.xfail:2:18: error: expected 'racy' or 'because \"reason\"' "
            "after the instance\nx.case SOCK_DGRAM\n                 ^\n");
}

TEST(Xfail, RacyComesAfterTheInstanceAndBeforeBecause) {
  absl::StatusOr<XfailList> list = ParseXfailList(
      "g.xfail",
      "b/y.case:17 racy because \"at its own pace\"\n"
      "b/y.case:22 socketpair racy  because \"r\"\n"
      "b/y.case:24 socketpair because \"r\"\n");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->entries.size(), 3u);
  EXPECT_TRUE(list->entries[0].racy);
  EXPECT_EQ(list->entries[0].instance_glob, "");
  EXPECT_EQ(list->entries[0].step_line, 17);
  EXPECT_TRUE(list->entries[1].racy);
  EXPECT_EQ(list->entries[1].instance_glob, "socketpair");
  EXPECT_FALSE(list->entries[2].racy);
  // A passing run contradicts only the entries that are not racy.
  EXPECT_EQ(FindXfail(*list, "cases/b/y.case", "socketpair", false),
            &list->entries[2]);
  EXPECT_EQ(FindXfail(*list, "cases/b/y.case", "pathname", false), nullptr);
  EXPECT_EQ(FindXfail(*list, "cases/b/y.case", "pathname"), &list->entries[0]);
  EXPECT_EQ(ParseXfailList("f", "y.case:3 racy \"r\"\n").status().message(),
            "f:1:15: error: expected 'because \"reason\"' after 'racy'\n"
            "y.case:3 racy \"r\"\n              ^\n");
}

TEST(Xfail, PathMustNameACaseFile) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "close/x because \"r\"\n");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(),
              HasSubstr("g.xfail:1:1: error: expected a case file path ending "
                        "in .case"));
}

TEST(Xfail, ReasonMustBeQuotedNonEmptyAndTerminated) {
  EXPECT_THAT(ParseXfailList("f", "a.case because reason\n").status().message(),
              HasSubstr("f:1:16: error: expected a quoted reason"));
  EXPECT_THAT(ParseXfailList("f", "a.case because \"\"\n").status().message(),
              HasSubstr("f:1:16: error: the reason is empty"));
  EXPECT_THAT(ParseXfailList("f", "a.case because \"open\n").status().message(),
              HasSubstr("f:1:16: error: unterminated string"));
  EXPECT_THAT(ParseXfailList("f", "a.case because \"r\" extra\n").status().message(),
              HasSubstr("f:1:20: error: unexpected text after the reason"));
}

TEST(Xfail, ReportsEveryBadLine) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("f", "a.case\nb.case because \"r\"\nc\n");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(), HasSubstr("f:1:7: error:"));
  EXPECT_THAT(list.status().message(), HasSubstr("f:3:1: error:"));
}

TEST(Xfail, MatchesPathSuffixAndInstanceGlob) {
  absl::StatusOr<XfailList> list = ParseXfailList(
      "f", "close/x.case SOCK_STREAM/* because \"a\"\nlisten/y.case because \"b\"\n");
  ASSERT_TRUE(list.ok());
  ASSERT_NE(FindXfail(*list, "cases/close/x.case", "SOCK_STREAM/abstract"), nullptr);
  EXPECT_EQ(FindXfail(*list, "cases/close/x.case", "SOCK_DGRAM/abstract"), nullptr);
  // "close/x.case" must not match "enclose/x.case".
  EXPECT_EQ(FindXfail(*list, "cases/enclose/x.case", "SOCK_STREAM/a"), nullptr);
  const XfailEntry* any = FindXfail(*list, "listen/y.case", "");
  ASSERT_NE(any, nullptr);
  EXPECT_EQ(any->reason, "b");
}

TEST(Xfail, TheProjectsGvisorListParses) {
  absl::StatusOr<XfailList> list = LoadXfailList("cases/platforms/gvisor.xfail");
  ASSERT_TRUE(list.ok()) << list.status();
  for (const XfailEntry& e : list->entries) EXPECT_FALSE(e.reason.empty());
}

TEST(Xfail, MissingFileIsNotFound) {
  EXPECT_EQ(LoadXfailList("no/such.xfail").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Xfail, DefaultFileIsBesideTheCases) {
  // cases/platforms/gvisor.xfail is in this test's runfiles.
  EXPECT_EQ(DefaultXfailFile({"cases/close"}, "gvisor"), "cases/platforms/gvisor.xfail");
  EXPECT_EQ(DefaultXfailFile({"harness/testdata/passes.case"}, "nosuch"), "");
}

}  // namespace
}  // namespace sockspec
