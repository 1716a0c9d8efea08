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
