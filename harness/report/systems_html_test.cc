#include "harness/report/systems_html.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

CaseOutcome Outcome(const std::string& path, Verdict v) {
  CaseOutcome o;
  o.path = path;
  o.verdict = v;
  return o;
}

TEST(SystemsHtml, DifferingCasesComeFirstAndTheSwitchNeedsNoScript) {
  std::vector<CaseOutcome> host = {Outcome("cases/a.case", Verdict::kPass),
                                   Outcome("cases/b.case", Verdict::kPass)};
  ConformanceRun one = Compare("linux", host, host, nullptr);
  one.host_system = "linux-6.18";
  one.guest_system = "linux-6.12.117-qemu";
  ConformanceRun two = Compare(
      "linux", host, {Outcome("cases/a.case", Verdict::kPass), Outcome("cases/b.case", Verdict::kFail)},
      nullptr);
  two.host_system = "linux-6.18";
  two.guest_system = "linux-6.1.0-57-qemu";
  const std::string page = SystemsHtml({one, two});
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("#only:checked~table tbody.agree{display:none}"), std::string::npos);
  EXPECT_NE(page.find("<th>linux-6.18</th><th>linux-6.12.117-qemu</th><th>linux-6.1.0-57-qemu</th>"),
            std::string::npos);
  const size_t b = page.find("<a href=\"cases/b.case\">");
  const size_t a = page.find("<a href=\"cases/a.case\">");
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(b, a);  // b differs on 6.1: first
  EXPECT_NE(page.find("<tbody class=\"differ\"><tr class=\"case\"><td colspan=\"4\"><a href=\"cases/b.case\">"),
            std::string::npos);
  EXPECT_NE(page.find("<tbody class=\"agree\"><tr class=\"case\"><td colspan=\"4\"><a href=\"cases/a.case\">"),
            std::string::npos);
}

}  // namespace
}  // namespace sockspec
