#include "harness/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using ::testing::HasSubstr;

std::vector<CaseOutcome> Sample() {
  CaseOutcome pass{"cases/close/eof.case", "SOCK_STREAM", "EOF", {"B14"},
                   Verdict::kPass, "", 0.5};
  CaseOutcome fail{"cases/close/eof.case", "SOCK_SEQPACKET", "EOF", {"B14"},
                   Verdict::kFail,
                   "cases/close/eof.case:12:1: B: read(b, 10): expected 0, "
                   "got -1 ECONNRESET\n",
                   0.25};
  CaseOutcome error{"cases/backlog/x.case", "", "", {}, Verdict::kError,
                    "cases/backlog/x.case:3:1: error: unknown call 'foo'\n", 0};
  return {pass, fail, error};
}

TEST(Report, TopicIsTheFolderBelowCases) {
  EXPECT_EQ(Topic("cases/close/eof.case"), "close");
  EXPECT_EQ(Topic("/tmp/x/cases/backlog/a.case"), "backlog");
  EXPECT_EQ(Topic("cases/top.case"), ".");
}

TEST(Report, TextListsFailuresAndEndsWithThePlainCountLine) {
  std::string text = TextReport(Sample(), /*verbose=*/false);
  EXPECT_THAT(text, HasSubstr("FAIL  cases/close/eof.case [SOCK_SEQPACKET]\n"
                              "cases/close/eof.case:12:1: B: read(b, 10): "
                              "expected 0, got -1 ECONNRESET\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("PASS  cases/close")));
  EXPECT_THAT(text, HasSubstr("close               1      1      0      0"));
  EXPECT_THAT(text, ::testing::EndsWith("\n1 passed, 1 failed, 1 errors\n"));
}

TEST(Report, VerboseTextListsPassesToo) {
  EXPECT_THAT(TextReport(Sample(), /*verbose=*/true),
              HasSubstr("PASS  cases/close/eof.case [SOCK_STREAM]\n"));
}

TEST(Report, JunitHasASuitePerFileAndACasePerInstance) {
  std::string xml = JunitReport(Sample());
  EXPECT_THAT(xml, HasSubstr("<testsuites tests=\"3\" failures=\"1\" errors=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"cases/close/eof.case\" tests=\"2\" "
                             "failures=\"1\" errors=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"SOCK_STREAM\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"cases/close/eof.case:12:1: B: "
                             "read(b, 10): expected 0, got -1 ECONNRESET\">"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"cases/backlog/x.case:3:1: error: "
                             "unknown call &apos;foo&apos;\">"));
}

TEST(Report, JunitEscapesControlBytes) {
  CaseOutcome o{"c.case", "", "", {}, Verdict::kFail, "got \"a\x01\"", 0};
  EXPECT_THAT(JunitReport({o}), HasSubstr("got &quot;a\\x01&quot;"));
}

TEST(Report, JsonCarriesSummaryAndResults) {
  std::string json = JsonReport(Sample());
  EXPECT_THAT(json, HasSubstr("\"summary\": {\"pass\": 1, \"fail\": 1, \"error\": 1, "
                              "\"skip\": 0"));
  EXPECT_THAT(json, HasSubstr("\"instance\": \"SOCK_SEQPACKET\", \"title\": \"EOF\", "
                              "\"covers\": [\"B14\"], \"verdict\": \"FAIL\""));
  EXPECT_THAT(json, HasSubstr("expected 0, got -1 ECONNRESET\\n\""));
}

TEST(Report, ExitCodeIsTwoForErrorsOneForFailuresZeroOtherwise) {
  std::vector<CaseOutcome> all = Sample();
  EXPECT_EQ(ExitCode(all), 2);
  all.pop_back();
  EXPECT_EQ(ExitCode(all), 1);
  all.pop_back();
  EXPECT_EQ(ExitCode(all), 0);
  EXPECT_EQ(ExitCode({}), 0);
}

}  // namespace
}  // namespace sockspec
