#include "harness/result/outcome_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/report/report.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(OutcomeJson, ReadsBackWhatJsonReportWrites) {
  CaseOutcome a;
  a.path = "cases/close/x.case";
  a.instance = "SOCK_STREAM/path(\"srv\")";
  a.title = "tab\there";
  a.covers = {"B19", "B20"};
  a.verdict = Verdict::kFail;
  Failure f;
  f.loc = {"x.case", 1, 1};
  f.call = "write(a, \"\\x01\")";
  f.expected = "0";
  f.observed = "-1 EPIPE\n\x01";
  a.failure = f;
  a.seconds = 0.25;
  CaseOutcome b;
  b.path = "cases/y.case";
  b.verdict = Verdict::kSkip;
  absl::StatusOr<std::vector<CaseOutcome>> back =
      ParseJsonOutcomes(JsonReport({a, b}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].path, a.path);
  EXPECT_EQ((*back)[0].instance, a.instance);
  EXPECT_EQ((*back)[0].title, a.title);
  EXPECT_THAT((*back)[0].covers, ElementsAre("B19", "B20"));
  EXPECT_EQ((*back)[0].verdict, Verdict::kFail);
  ASSERT_TRUE((*back)[0].failure.has_value());
  EXPECT_EQ((*back)[0].failure->observed, f.observed);
  EXPECT_EQ(Message((*back)[0]), Message(a));
  EXPECT_DOUBLE_EQ((*back)[0].seconds, 0.25);
  EXPECT_EQ((*back)[1].verdict, Verdict::kSkip);
}

TEST(OutcomeJson, CarriesTheLadderFieldsAndReadsOldTracesWithoutThem) {
  CaseOutcome a;
  a.path = "x.case";
  a.verdict = Verdict::kFail;
  Failure f;
  f.loc = {"x.case", 9, 1};
  f.call = "wakes";
  f.woken_by = 1;
  f.trace = {{{"x.case", 7, 1}, "B", "read(b, 10)", "blocks", true, true, 2, -1},
             {{"x.case", 8, 1}, "A", "write(a, \"x\")", "1", true, false, -1, -1}};
  a.failure = f;
  const std::string text = JsonReport({a});
  // Written only when set: the write step has none of them.
  EXPECT_THAT(text, HasSubstr("\"woken_by\": 1,\n"));
  EXPECT_THAT(text, HasSubstr("\"ok\": true,\n            \"asleep\": true,\n"
                              "            \"woken_at\": 2\n"));
  EXPECT_EQ(text.find("asleep"), text.rfind("asleep"));
  absl::StatusOr<std::vector<CaseOutcome>> back = ParseJsonOutcomes(text);
  ASSERT_TRUE(back.ok()) << back.status();
  const Failure& g = *(*back)[0].failure;
  EXPECT_EQ(g.woken_by, 1);
  ASSERT_EQ(g.trace.size(), 2u);
  EXPECT_TRUE(g.trace[0].asleep);
  EXPECT_EQ(g.trace[0].woken_at, 2);
  EXPECT_FALSE(g.trace[1].asleep);
  EXPECT_EQ(g.trace[1].woken_at, -1);
  // A trace written before these fields existed.
  back = ParseJsonOutcomes(
      "{\"results\": [{\"path\": \"x.case\", \"verdict\": \"FAIL\", \"failure\": "
      "{\"kind\": \"mismatch\", \"trace\": [{\"path\": \"x.case\", \"line\": 3, "
      "\"peer\": \"A\", \"call\": \"close(a)\", \"observed\": \"0\", \"ok\": true}]}}]}");
  ASSERT_TRUE(back.ok()) << back.status();
  const Failure& old = *(*back)[0].failure;
  EXPECT_EQ(old.woken_by, -1);
  ASSERT_EQ(old.trace.size(), 1u);
  EXPECT_EQ(old.trace[0].call, "close(a)");
  EXPECT_FALSE(old.trace[0].asleep);
  EXPECT_EQ(old.trace[0].woken_at, -1);
  EXPECT_EQ(old.trace[0].woken_by, -1);
}

TEST(OutcomeJson, CarriesTheStepsAGuestRunWentOnTo) {
  CaseOutcome a;
  a.path = "cases/x.case";
  a.verdict = Verdict::kFail;
  Failure first, later;
  first.loc = {"cases/x.case", 11, 1};
  later.kind = FailureKind::kHang;
  later.loc = {"cases/x.case", 14, 1};
  later.detail = "peer B hung";
  a.failure = first;
  a.later_failures = {later};
  a.step_lines = {10, 11, 14, 15};
  a.not_run = {15};
  absl::StatusOr<std::vector<CaseOutcome>> back = ParseJsonOutcomes(JsonReport({a}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  const CaseOutcome& o = (*back)[0];
  ASSERT_EQ(o.later_failures.size(), 1u);
  EXPECT_EQ(o.later_failures[0].kind, FailureKind::kHang);
  EXPECT_EQ(o.later_failures[0].loc.line, 14);
  EXPECT_EQ(o.later_failures[0].detail, "peer B hung");
  EXPECT_THAT(o.step_lines, ElementsAre(10, 11, 14, 15));
  EXPECT_THAT(o.not_run, ElementsAre(15));
}

TEST(OutcomeJson, RejectsTruncatedOrForeignDocuments) {
  EXPECT_THAT(ParseJsonOutcomes("{\"results\": [{\"path\": \"a").status().message(),
              HasSubstr("JSON results: [json.exception.parse_error"));
  EXPECT_THAT(ParseJsonOutcomes("[1, 2]").status().message(),
              HasSubstr("no \"results\" array"));
  EXPECT_THAT(ParseJsonOutcomes("{\"results\": [{\"verdict\": \"MAYBE\"}]}")
                  .status().message(),
              HasSubstr("unknown verdict 'MAYBE'"));
  EXPECT_THAT(ParseJsonOutcomes("{\"results\": [{\"verdict\": \"FAIL\", "
                                "\"failure\": {\"kind\": \"oops\"}}]}")
                  .status().message(),
              HasSubstr("unknown failure kind 'oops'"));
  EXPECT_FALSE(ParseJsonOutcomes("").ok());
}

}  // namespace
}  // namespace sockspec
