#include "harness/report/compare.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::HasSubstr;

// A mismatch at cases/close/x.case:19:1, B: read(b, 4096).
Failure Reset() {
  Failure f;
  f.kind = FailureKind::kMismatch;
  f.loc = {"cases/close/x.case", 19, 1};
  f.peer = "B";
  f.call = "read(b, 4096)";
  f.expected_text = "0";
  f.expected = "0";
  f.observed = "-1 ECONNRESET";
  return f;
}

CaseOutcome Outcome(const std::string& instance, Verdict v,
                    std::optional<Failure> failure = std::nullopt) {
  CaseOutcome o;
  o.path = "cases/close/x.case";
  o.instance = instance;
  o.title = "x";
  o.covers = {"B19"};
  o.verdict = v;
  o.failure = std::move(failure);
  return o;
}

const Failure kReset = Reset();

RecordedAnswer Sigpipe() {
  RecordedAnswer a;
  a.loc = {"cases/close/x.case", 14, 1};
  a.peer = "B";
  a.call = "write(b, \"x\")";
  a.default_platform = "linux";
  a.default_answer = "EPIPE signal SIGPIPE";
  a.platform = "gvisor";
  a.platform_answer = "EPIPE";
  a.observed = "-1 EPIPE";
  return a;
}

// A guest that went on after line 19: line 23 failed too, then a hang at
// line 25 stopped it before lines 27 and 28.
CaseOutcome WentOn() {
  CaseOutcome g = Outcome("a", Verdict::kFail, kReset);
  Failure later = Reset();
  later.loc.line = 23;
  g.later_failures.push_back(later);
  Failure hang;
  hang.kind = FailureKind::kHang;
  hang.loc = {"cases/close/x.case", 25, 1};
  hang.peer = "B";
  hang.call = "recv(b, 1, MSG_OOB)";
  hang.detail = "peer B hung in recv(b, 1, MSG_OOB); killed after 5000 ms";
  g.later_failures.push_back(hang);
  g.step_lines = {10, 14, 19, 23, 25, 27, 28};
  g.not_run = {27, 28};
  return g;
}

XfailList StepList(const std::string& text) {
  absl::StatusOr<XfailList> list = ParseXfailList("g.xfail", text);
  EXPECT_TRUE(list.ok()) << list.status();
  return *list;
}

TEST(Compare, EveryFailingStepListedIsXfailCountedPerStep) {
  XfailList list = StepList(
      "close/x.case:19 because \"r19\"\nclose/x.case:23 because \"r23\"\n"
      "close/x.case:25 because \"r25\"\n");
  ConformanceRun run =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &list);
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kXfail);
  EXPECT_EQ(run.rows[0].failing.size(), 3u);
  EXPECT_EQ(run.steps.same, 2);
  EXPECT_EQ(run.steps.xfail, 3);
  EXPECT_EQ(run.steps.differs, 0);
  EXPECT_EQ(run.steps.not_run, 2);
  const std::string text = ComparisonText(run, false);
  EXPECT_THAT(text, HasSubstr("    step 23: B: read(b, 4096): -1 ECONNRESET "
                              "(expected 0): xfail\n"));
  EXPECT_THAT(text, HasSubstr("    not run: lines 27, 28\n"));
  EXPECT_THAT(text, HasSubstr("steps in gvisor: 2 same, 0 recorded, 3 xfail, "
                              "0 differs, 2 not run\n"));
  EXPECT_EQ(ComparisonExitCode(run), 0);
  nlohmann::json j = nlohmann::json::parse(ComparisonJson(run));
  EXPECT_EQ(j["steps"]["xfail"], 3);
  EXPECT_EQ(j["rows"][0]["not_run"], nlohmann::json::array({27, 28}));
  EXPECT_EQ(j["rows"][0]["failing_steps"][2]["failure"]["kind"], "hang");
}

TEST(Compare, OneUnlistedStepInAListedInstanceDiffers) {
  // The old whole-instance form would have hidden line 23; step entries
  // name 19 and 25 only.
  XfailList list = StepList(
      "close/x.case:19 because \"r19\"\nclose/x.case:25 because \"r25\"\n");
  ConformanceRun run =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &list);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kDiffers);
  EXPECT_EQ(run.steps.differs, 1);
  EXPECT_EQ(run.steps.xfail, 2);
  EXPECT_THAT(ComparisonText(run, false),
              HasSubstr("    step 23: B: read(b, 4096): -1 ECONNRESET "
                        "(expected 0): differs, not listed\n"));
  EXPECT_EQ(ComparisonExitCode(run), 1);
}

TEST(Compare, AListedStepThatPassedIsXpass) {
  // Line 14 ran and passed: its entry is stale although the rest is listed.
  XfailList list = StepList(
      "close/x.case:14 because \"r14\"\nclose/x.case:19 because \"r19\"\n"
      "close/x.case:23 because \"r23\"\nclose/x.case:25 because \"r25\"\n"
      "close/x.case:27 because \"not reached: no verdict\"\n");
  ConformanceRun run =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &list);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kXpass);
  EXPECT_EQ(run.rows[0].xpass_lines, std::vector<int>({14}));
  EXPECT_THAT(ComparisonText(run, false),
              HasSubstr("but passed: line 14\n"));
}

TEST(Compare, ARacyStepMayFailOrPass) {
  // Lines 19 and 23 are racy: the guest's wake comes at its own pace.
  XfailList list = StepList(
      "close/x.case:19 racy because \"r19\"\nclose/x.case:23 racy because \"r23\"\n"
      "close/x.case:25 because \"r25\"\n");
  ConformanceRun failed =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &list);
  EXPECT_EQ(failed.rows[0].agreement, Agreement::kXfail);
  EXPECT_EQ(failed.steps.xfail, 3);
  // Line 19 passed this time and line 23 failed: not stale, still xfail.
  CaseOutcome late = WentOn();
  late.failure->loc.line = 23;
  late.later_failures.erase(late.later_failures.begin());
  ConformanceRun passed19 =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {late}, &list);
  EXPECT_EQ(passed19.rows[0].agreement, Agreement::kXfail);
  EXPECT_TRUE(passed19.rows[0].xpass_lines.empty());
  EXPECT_EQ(ComparisonExitCode(passed19), 0);
  // The whole instance passed: the racy entries do not make it XPASS, but
  // the plain entry for line 25 does.
  ConformanceRun passed =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {Outcome("a", Verdict::kPass)}, &list);
  EXPECT_EQ(passed.rows[0].agreement, Agreement::kXpass);
  EXPECT_EQ(passed.rows[0].xfail_reason, "r25");
  XfailList racy_only = StepList("close/x.case:19 racy because \"r19\"\n");
  ConformanceRun same = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                                {Outcome("a", Verdict::kPass)}, &racy_only);
  EXPECT_EQ(same.rows[0].agreement, Agreement::kSame);
  EXPECT_EQ(ComparisonExitCode(same), 0);
  // An unlisted failing step still differs.
  ConformanceRun differs =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &racy_only);
  EXPECT_EQ(differs.rows[0].agreement, Agreement::kDiffers);
}

TEST(Compare, TheOldWholeInstanceFormListsEveryStep) {
  XfailList list = StepList("close/x.case  because \"all of it\"\n");
  ConformanceRun run =
      Compare("gvisor", {Outcome("a", Verdict::kPass)}, {WentOn()}, &list);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kXfail);
  EXPECT_EQ(run.rows[0].xfail_reason, "all of it");
  EXPECT_EQ(run.steps.xfail, 3);
}

TEST(Compare, BothPassingIsSameOrRecorded) {
  CaseOutcome recorded = Outcome("b", Verdict::kPass);
  recorded.recorded = {Sigpipe()};
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kPass)},
      {Outcome("a", Verdict::kPass), recorded}, nullptr);
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  // gVisor passes b only by its own recorded answer: a recorded divergence.
  EXPECT_EQ(run.rows[1].agreement, Agreement::kRecorded);
  ASSERT_EQ(run.rows[1].recorded.size(), 1u);
  EXPECT_EQ(run.rows[1].recorded[0].platform_answer, "EPIPE");
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
                               {Outcome("a", Verdict::kFail, kReset)}, nullptr);
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kDiffers);
  EXPECT_EQ(ComparisonExitCode(run), 1);
  std::string text = ComparisonText(run, false);
  EXPECT_THAT(text, HasSubstr("DIFFERS   cases/close/x.case [a]\n"
                              "    linux:  as expected\n"
                              "    gvisor: -1 ECONNRESET (expected 0) at B: "
                              "read(b, 4096)\n"));
  EXPECT_THAT(text, HasSubstr("0 same, 0 skipped, 0 recorded, 0 xfail, 1 differs"));
}

TEST(Compare, ListedFailureIsXfailAndListedPassIsXpass) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "close/x.case because \"no reset\"\n");
  ASSERT_TRUE(list.ok());
  ConformanceRun failing = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                                   {Outcome("a", Verdict::kFail, kReset)},
                                   &*list);
  EXPECT_EQ(failing.rows[0].agreement, Agreement::kXfail);
  EXPECT_EQ(failing.rows[0].xfail_reason, "no reset");
  EXPECT_EQ(ComparisonExitCode(failing), 0);
  EXPECT_THAT(ComparisonText(failing, false),
              HasSubstr("listed in g.xfail: \"no reset\""));

  ConformanceRun passing = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                                   {Outcome("a", Verdict::kPass)}, &*list);
  EXPECT_EQ(passing.rows[0].agreement, Agreement::kXpass);
  EXPECT_EQ(ComparisonExitCode(passing), 1);
}

TEST(Compare, MissingGuestResultOrErrorIsAnError) {
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kPass)},
      {Outcome("b", Verdict::kError,
                TextFailure(FailureKind::kHarnessError, "socket(AF_INET): EACCES"))},
      nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kError);
  EXPECT_EQ(run.rows[0].note, "not run in the guest");
  EXPECT_EQ(run.rows[1].agreement, Agreement::kError);
  EXPECT_EQ(ComparisonExitCode(run), 2);
}

TEST(Compare, HostFailureFailsWhateverTheGuestSays) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kFail, kReset)},
                               {Outcome("a", Verdict::kPass)}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kHostFail);
  EXPECT_EQ(ComparisonExitCode(run), 1);
}

TEST(Compare, RepeatsPairInOrder) {
  ConformanceRun run = Compare(
      "gvisor", {Outcome("a", Verdict::kPass), Outcome("a", Verdict::kPass)},
      {Outcome("a", Verdict::kPass), Outcome("a", Verdict::kFail, kReset)},
      nullptr);
  ASSERT_EQ(run.rows.size(), 2u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  EXPECT_EQ(run.rows[1].agreement, Agreement::kDiffers);
}

TEST(Compare, HostOnlyRunHasNoGuest) {
  ConformanceRun run =
      Compare("", {Outcome("a", Verdict::kPass), Outcome("b", Verdict::kFail, kReset)},
              {}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  EXPECT_EQ(run.rows[1].agreement, Agreement::kHostFail);
}

TEST(Compare, AnswerComesFromTheRecordNotTheText) {
  // Observed bytes that look like a report's own separators.
  Failure odd = kReset;
  odd.call = "read(b, 40)";
  odd.expected = "5 \"other\"";
  odd.observed = "20 \"k: expected 1, got 2\"";
  EXPECT_EQ(Answer(Outcome("a", Verdict::kFail, odd)),
            "20 \"k: expected 1, got 2\" (expected 5 \"other\") at B: read(b, 40)");
  EXPECT_EQ(Answer(Outcome("a", Verdict::kError,
                           TextFailure(FailureKind::kHarnessError, "fork failed"))),
            "harness error: fork failed");
}

TEST(Compare, PassWithoutRecordedAnswersIsSame) {
  // The case has an `on gvisor` line, but the guest's answer was also the
  // host platform's: nothing recorded travels with the outcome.
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kPass)}, nullptr);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSame);
  EXPECT_TRUE(run.rows[0].recorded.empty());
}

TEST(Compare, CaseLinkPointsAtTheFailingLine) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, nullptr);
  EXPECT_EQ(CaseLink(run.rows[0]), "cases/close/x.case#L19");
}

TEST(Compare, JsonAndOutcomesCarryTheAgreement) {
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, nullptr);
  nlohmann::json json = nlohmann::json::parse(ComparisonJson(run));
  EXPECT_EQ(json["rows"][0]["agreement"], "differs");
  EXPECT_EQ(json["summary"]["differs"], 1);
  EXPECT_EQ(json["rows"][0]["link"], "cases/close/x.case#L19");
  EXPECT_EQ(json["rows"][0]["guest"]["failure"]["observed"], "-1 ECONNRESET");
  EXPECT_EQ(json["rows"][0]["guest"]["failure"]["line"], 19);
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, Verdict::kFail);
  EXPECT_THAT(Message(rows[0]), HasSubstr("gvisor: -1 ECONNRESET"));
  // Where the systems parted, in the headline a CI page shows.
  ASSERT_TRUE(rows[0].failure.has_value());
  EXPECT_EQ(FailureHeadline(*rows[0].failure),
            "differs at cases/close/x.case:19:1 B: read(b, 4096)");
  EXPECT_EQ(rows[0].failure->loc.line, 19);
}

TEST(Compare, AnExpectedFailureIsSkippedWithItsReason) {
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "close/x.case because \"no reset\"\n");
  ASSERT_TRUE(list.ok()) << list.status();
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {Outcome("a", Verdict::kFail, kReset)}, &*list);
  ASSERT_EQ(run.rows[0].agreement, Agreement::kXfail);
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, Verdict::kSkip);
  EXPECT_EQ(FailureHeadline(*rows[0].failure),
            "xfail at cases/close/x.case:19:1 B: read(b, 4096) (listed: \"no reset\")");
}

}  // namespace
}  // namespace sockspec

namespace sockspec {
namespace {

TEST(Compare, ASkipOnEitherSideIsSkippedWithItsReasonNotAFailure) {
  CaseOutcome guest_skip = Outcome("a", Verdict::kSkip);
  guest_skip.skip_reason = "cases/close/x.case:3: requires root: running as uid 65534";
  ConformanceRun run = Compare("gvisor", {Outcome("a", Verdict::kPass)},
                               {guest_skip}, nullptr);
  ASSERT_EQ(run.rows.size(), 1u);
  EXPECT_EQ(run.rows[0].agreement, Agreement::kSkipped);
  EXPECT_EQ(run.rows[0].note,
            "skipped in the guest: cases/close/x.case:3: requires root: "
            "running as uid 65534");
  EXPECT_EQ(ComparisonExitCode(run), 0);
  EXPECT_THAT(ComparisonText(run, false),
              HasSubstr("SKIPPED   cases/close/x.case [a]\n"));
  std::vector<CaseOutcome> junit = ComparisonOutcomes(run);
  ASSERT_EQ(junit.size(), 1u);
  EXPECT_EQ(junit[0].verdict, Verdict::kSkip);
  EXPECT_EQ(junit[0].skip_reason, run.rows[0].note);
}

}  // namespace
}  // namespace sockspec
