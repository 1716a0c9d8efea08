#include "harness/compare.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::HasSubstr;

CaseOutcome Outcome(const std::string& instance, Verdict v,
                    const std::string& message = "") {
  CaseOutcome o;
  o.path = "cases/close/x.case";
  o.instance = instance;
  o.title = "x";
  o.covers = {"B19"};
  o.verdict = v;
  o.message = message;
  return o;
}

constexpr char kReset[] =
    "cases/close/x.case:19:1: B: read(b, 4096): expected 0, got -1 "
    "ECONNRESET\ntrace:\n";

TEST(Compare, BothPassingIsSameOrRecorded) {
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kPass)},
      {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kPass)},
      {{"cases/close/x.case [b]", {RecordedAnswer{14, "B: write(b, \"x\")",
                                                  "EPIPE signal SIGPIPE", "EPIPE"}}}},
      nullptr);
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  // gVisor passes b only by its own recorded answer: a recorded divergence.
  EXPECT_EQ(run.rows[1].agreement, Agreement::kRecorded);
  ASSERT_EQ(run.rows[1].recorded.size(), 1u);
  EXPECT_EQ(run.rows[1].recorded[0].guest_answer, "EPIPE");
  EXPECT_THAT(ComparisonText(run, false),
              HasSubstr("RECORDED  cases/close/x.case [b]\n"
                        "    linux:  as expected\n"
                        "    gvisor: as expected\n"
                        "    line 14: B: write(b, \"x\"): linux EPIPE signal "
                        "SIGPIPE, gvisor EPIPE (recorded)\n"));
  EXPECT_EQ(ComparisonExitCode(run), 0);
}

TEST(Compare, UnrecordedDivergenceFailsAndShowsBothAnswers) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, {}, nullptr);
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kDiffers);
  EXPECT_EQ(ComparisonExitCode(run), 1);
  std::string text = ComparisonText(run, false);
  EXPECT_THAT(text, HasSubstr("DIFFERS   cases/close/x.case [a]\n"
                              "    linux:  as expected\n"
                              "    gvisor: -1 ECONNRESET (expected 0) at B: "
                              "read(b, 4096)\n"));
  EXPECT_THAT(text, HasSubstr("0 same, 0 recorded, 0 xfail, 1 differs"));
}

TEST(Compare, ListedFailureIsXfailAndListedPassIsXpass) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "close/x.case because \"no reset\"\n");
  ASSERT_TRUE(list.ok());
  ConformanceRun failing = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                                   {Outcome("a", Verdict::kFail, kReset)}, {},
                                   &*list);
  EXPECT_EQ(failing.rows[0].agreement, Agreement::kXfail);
  EXPECT_EQ(failing.rows[0].xfail_reason, "no reset");
  EXPECT_EQ(ComparisonExitCode(failing), 0);
  EXPECT_THAT(ComparisonText(failing, false),
              HasSubstr("listed in g.xfail: \"no reset\""));

  ConformanceRun passing = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                                   {Outcome("a", Verdict::kPass)}, {}, &*list);
  EXPECT_EQ(passing.rows[0].agreement, Agreement::kXpass);
  EXPECT_EQ(ComparisonExitCode(passing), 1);
}

TEST(Compare, MissingGuestResultOrErrorIsAnError) {
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kPass)},
      {Outcome("b", Verdict::kError, "socket(AF_INET): EACCES")}, {}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kError);
  EXPECT_EQ(run.rows[0].note, "not run in the guest");
  EXPECT_EQ(run.rows[1].agreement, Agreement::kError);
  EXPECT_EQ(ComparisonExitCode(run), 2);
}

TEST(Compare, HostFailureFailsWhateverTheGuestSays) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kFail, kReset)},
                               {Outcome("a", Verdict::kPass)}, {}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kHostFail);
  EXPECT_EQ(ComparisonExitCode(run), 1);
}

TEST(Compare, RepeatsPairInOrder) {
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("a", Verdict::kPass)},
      {Outcome("a", Verdict::kPass), Outcome("a", Verdict::kFail, kReset)}, {},
      nullptr);
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  EXPECT_EQ(run.rows[1].agreement, Agreement::kDiffers);
}

TEST(Compare, HostOnlyRunHasNoGuest) {
  ConformanceRun run =
      Compare("", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kFail, kReset)},
              {}, {}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  EXPECT_EQ(run.rows[1].agreement, Agreement::kHostFail);
}

TEST(Compare, SplitMismatchReadsLocationStepAndBothAnswers) {
  Mismatch m = SplitMismatch(kReset);
  EXPECT_EQ(m.path, "cases/close/x.case");
  EXPECT_EQ(m.line, 19);
  EXPECT_EQ(m.step, "B: read(b, 4096)");
  EXPECT_EQ(m.expected, "0");
  EXPECT_EQ(m.observed, "-1 ECONNRESET");
  // Results that contain ", got " themselves: the last "expected" wins.
  Mismatch odd = SplitMismatch(
      "cases/y.case:3:1: A: write(a, \"x: expected y\"): expected 1, got 2");
  EXPECT_EQ(odd.step, "A: write(a, \"x: expected y\")");
  EXPECT_EQ(odd.observed, "2");
  EXPECT_EQ(SplitMismatch("harness: fork failed").line, 0);
}

TEST(Compare, CaseLinkPointsAtTheFailingLine) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, {}, nullptr);
  EXPECT_EQ(CaseLink(run.rows[0]), "cases/close/x.case#L19");
}

TEST(Compare, JsonAndOutcomesCarryTheAgreement) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, {}, nullptr);
  std::string json = ComparisonJson(run);
  EXPECT_THAT(json, HasSubstr("\"agreement\": \"differs\""));
  EXPECT_THAT(json, HasSubstr("\"differs\": 1"));
  EXPECT_THAT(json, HasSubstr("\"link\": \"cases/close/x.case#L19\""));
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, Verdict::kFail);
  EXPECT_THAT(rows[0].message, HasSubstr("gvisor: -1 ECONNRESET"));
}

}  // namespace
}  // namespace sockspec
