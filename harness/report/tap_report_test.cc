#include "harness/report/tap_report.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

CaseOutcome Outcome(const std::string& path, const std::string& instance, Verdict v) {
  CaseOutcome o;
  o.path = path;
  o.instance = instance;
  o.verdict = v;
  return o;
}

TEST(TapReport, KtapHasVersionPlanAndOneLinePerInstance) {
  std::vector<CaseOutcome> outcomes = {
      Outcome("cases/a.case", "SOCK_DGRAM", Verdict::kPass),
      Outcome("cases/b#1.case", "", Verdict::kSkip),
  };
  EXPECT_EQ(KtapReport(outcomes),
            "KTAP version 1\n"
            "1..2\n"
            "ok 1 cases/a.case [SOCK_DGRAM]\n"
            "ok 2 cases/b_1.case # SKIP\n");
}

TEST(TapReport, RepeatsGetUniqueNames) {
  std::vector<CaseOutcome> outcomes = {
      Outcome("cases/a.case", "", Verdict::kPass),
      Outcome("cases/a.case", "", Verdict::kPass),
      Outcome("cases/b.case", "", Verdict::kPass),
  };
  std::vector<std::string> names = UniqueTestNames(outcomes);
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "cases/a.case");
  EXPECT_EQ(names[1], "cases/a.case (repeat 2)");
  EXPECT_EQ(names[2], "cases/b.case");
}

TEST(TapReport, Tap13FailureCarriesYamlBlock) {
  std::vector<CaseOutcome> outcomes = {Outcome("cases/a.case", "", Verdict::kError)};
  const std::string tap = TapReport(outcomes);
  EXPECT_EQ(tap.substr(0, 38), "TAP version 13\n1..1\nnot ok 1 - cases/a");
  EXPECT_NE(tap.find("\n  ---\n  severity: error\n  message: |\n"), std::string::npos) << tap;
  EXPECT_EQ(tap.substr(tap.size() - 6), "  ...\n");
}

}  // namespace
}  // namespace sockspec
