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
  CaseOutcome failed = Outcome("cases/b.case", Verdict::kFail);
  Failure f;
  f.loc = {"cases/b.case", 12, 1};
  f.peer = "B";
  f.call = "recv(b, 10, MSG_DONTWAIT)";
  f.expected = "\"c\"";
  f.observed = "-1 EAGAIN";
  f.trace = {{{"cases/b.case", 9, 1}, "A", "write(a, \"c\")", "1", true}};
  failed.failure = f;
  ConformanceRun two = Compare(
      "linux", host, {Outcome("cases/a.case", Verdict::kPass), failed}, nullptr);
  two.host_system = "linux-6.18";
  two.guest_system = "linux-6.1.0-57-qemu";
  const std::string page = SystemsHtml({one, two});
  // Written one folder down: the links climb back to the paths' root.
  EXPECT_NE(SystemsHtml({one, two}, "../").find("<a href=\"../cases/b.case\">cases/b.case</a>"),
            std::string::npos);
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
  // The ladder: a column per peer, A's write, then B's recv where it parted.
  EXPECT_NE(page.find("<details><summary>steps</summary><table class=\"ladder\"><tr><th>line</th>"
                      "<th>setup</th><th>A</th><th>B</th></tr>"
                      "<tr><td>9</td><td></td><td>write(a, &quot;c&quot;) \u2192 1</td><td></td></tr>"
                      "<tr class=\"parted\"><td>12</td><td></td><td></td>"
                      "<td>recv(b, 10, MSG_DONTWAIT) \u2192 -1 EAGAIN (expected &quot;c&quot;)</td></tr>"),
            std::string::npos) << page;
}

}  // namespace
}  // namespace sockspec
