#include "harness/report/report.h"

#include "harness/result/outcome_json.h"
#include "harness/report/utf8.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using ::testing::HasSubstr;

CaseOutcome Make(const std::string& path, const std::string& instance,
                 Verdict v, std::optional<Failure> failure, double seconds) {
  CaseOutcome o;
  o.path = path;
  o.instance = instance;
  o.title = instance.empty() ? "" : "EOF";
  if (!instance.empty()) o.covers = {"B14"};
  o.verdict = v;
  o.failure = std::move(failure);
  o.seconds = seconds;
  return o;
}

Failure Reset() {
  Failure f;
  f.kind = FailureKind::kMismatch;
  f.loc = {"cases/close/eof.case", 12, 1};
  f.peer = "B";
  f.call = "read(b, 10)";
  f.expected_text = "0";
  f.expected = "0";
  f.observed = "-1 ECONNRESET";
  f.trace.push_back(TraceStep{{"cases/close/eof.case", 11, 1}, "A", "close(a)", "0", true});
  return f;
}

std::vector<CaseOutcome> Sample() {
  return {Make("cases/close/eof.case", "SOCK_STREAM", Verdict::kPass, std::nullopt, 0.5),
          Make("cases/close/eof.case", "SOCK_SEQPACKET", Verdict::kFail, Reset(), 0.25),
          Make("cases/backlog/x.case", "", Verdict::kError,
               TextFailure(FailureKind::kCaseError,
                           "cases/backlog/x.case:3:1: error: unknown call 'foo'\n"),
               0)};
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

TEST(Report, TextIsRenderedFromTheRecordWithItsTrace) {
  EXPECT_EQ(FailureText(Reset()),
            "cases/close/eof.case:12:1: B: read(b, 10): expected 0, got -1 "
            "ECONNRESET\ntrace:\n  cases/close/eof.case:11:1: A: close(a) -> 0\n");
}

TEST(Report, JunitEscapesControlBytes) {
  CaseOutcome o = Make("c.case", "", Verdict::kFail,
                       TextFailure(FailureKind::kDisagreement, "got \"a\x01\""), 0);
  EXPECT_THAT(JunitReport({o}), HasSubstr("got &quot;a\\x01&quot;"));
}

TEST(Report, JsonCarriesSummaryResultsAndTheFailureRecord) {
  nlohmann::json json = nlohmann::json::parse(JsonReport(Sample()));
  EXPECT_EQ(json["summary"]["pass"], 1);
  EXPECT_EQ(json["summary"]["fail"], 1);
  EXPECT_EQ(json["summary"]["error"], 1);
  const nlohmann::json& fail = json["results"][1];
  EXPECT_EQ(fail["instance"], "SOCK_SEQPACKET");
  EXPECT_EQ(fail["verdict"], "FAIL");
  EXPECT_EQ(fail["failure"]["kind"], "mismatch");
  EXPECT_EQ(fail["failure"]["line"], 12);
  EXPECT_EQ(fail["failure"]["expected"], "0");
  EXPECT_EQ(fail["failure"]["observed"], "-1 ECONNRESET");
  EXPECT_EQ(fail["failure"]["trace"][0]["call"], "close(a)");
  EXPECT_EQ(fail["message"], FailureText(Reset()));
}

TEST(Report, JsonReadsBackTheSameRecord) {
  std::vector<CaseOutcome> sample = Sample();
  sample[1].recorded.push_back(RecordedAnswer{
      {"cases/close/eof.case", 9, 1}, "A", "write(a, \"k = v #1\")", "linux", "7",
      "gvisor", "8", "because", "8"});
  absl::StatusOr<std::vector<CaseOutcome>> back = ParseJsonOutcomes(JsonReport(sample));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ(Message((*back)[1]), Message(sample[1]));
  ASSERT_TRUE((*back)[1].failure.has_value());
  EXPECT_EQ((*back)[1].failure->observed, "-1 ECONNRESET");
  EXPECT_EQ((*back)[1].failure->trace.size(), 1u);
  ASSERT_EQ((*back)[1].recorded.size(), 1u);
  EXPECT_EQ((*back)[1].recorded[0].call, "write(a, \"k = v #1\")");
  EXPECT_EQ((*back)[1].recorded[0].default_answer, "7");
  EXPECT_EQ((*back)[2].failure->kind, FailureKind::kCaseError);
  EXPECT_FALSE((*back)[0].failure.has_value());
  EXPECT_FALSE(ParseJsonOutcomes("{\"results\": [{\"verdict\": \"MAYBE\"}]}").ok());
  EXPECT_FALSE(ParseJsonOutcomes("{\"results\": [").ok());
}

TEST(Report, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(ValidUtf8("a\xff b\xc3 \xe2\x82 \xc3\xa9"),
            "a\xEF\xBF\xBD b\xEF\xBF\xBD \xEF\xBF\xBD \xc3\xa9");
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CaseOutcome o = Make("c\xff.case", "T\xfe", Verdict::kFail, Reset(), 0);
  o.title = "bad \xc3 title";
  // Both documents parse (nlohmann throws on invalid UTF-8 in its input).
  nlohmann::json json = nlohmann::json::parse(JsonReport({o}));
  EXPECT_EQ(json["results"][0]["title"], "bad \xEF\xBF\xBD title");
  std::string xml = JunitReport({o});
  EXPECT_EQ(ValidUtf8(xml), xml);
  EXPECT_THAT(xml, HasSubstr("classname=\"c\xEF\xBF\xBD.case\""));
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

namespace sockspec {
namespace {

// An unmet prerequisite is a skip with its reason in every format, and not a
// failure: the exit code stays 0.
TEST(Report, ASkipCarriesItsReasonEverywhereAndExitsZero) {
  CaseOutcome skip = Make("cases/boundaries/m.case", "inet6", Verdict::kSkip,
                          std::nullopt, 0);
  skip.skip_reason =
      "cases/boundaries/m.case:9: requires ipv6: bind(::1) failed EADDRNOTAVAIL";
  std::vector<CaseOutcome> all = {
      Make("cases/boundaries/m.case", "socketpair", Verdict::kPass,
           std::nullopt, 0.1),
      skip};
  EXPECT_EQ(ExitCode(all), 0);
  const std::string text = TextReport(all, false);
  EXPECT_THAT(text, HasSubstr("SKIP  cases/boundaries/m.case [inet6]\n"
                              "cases/boundaries/m.case:9: requires ipv6: "
                              "bind(::1) failed EADDRNOTAVAIL\n"));
  EXPECT_THAT(text, HasSubstr("1 passed, 0 failed, 1 skipped\n"));
  EXPECT_THAT(JunitReport(all),
              HasSubstr("<skipped message=\"cases/boundaries/m.case:9: "
                        "requires ipv6: bind(::1) failed EADDRNOTAVAIL\">"));
  absl::StatusOr<std::vector<CaseOutcome>> back =
      ParseJsonOutcomes(JsonReport(all));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].verdict, Verdict::kSkip);
  EXPECT_EQ((*back)[1].skip_reason, skip.skip_reason);
  auto doc = nlohmann::json::parse(JsonReport(all));
  EXPECT_EQ(doc["summary"]["skip"], 1);
  EXPECT_EQ(doc["results"][1]["message"], skip.skip_reason);
}

}  // namespace
}  // namespace sockspec
