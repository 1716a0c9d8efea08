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

TEST(SystemsHtml, ACellListsEveryFailingStepAndTheStepsNotRun) {
  std::vector<CaseOutcome> host = {Outcome("cases/w.case", Verdict::kPass)};
  CaseOutcome failed = Outcome("cases/w.case", Verdict::kFail);
  Failure first, later;
  first.loc = {"cases/w.case", 14, 1};
  first.call = "write(a, \"y\")";
  later.loc = {"cases/w.case", 16, 1};
  later.call = "read(b, 10)";
  failed.failure = first;
  failed.later_failures = {later};
  failed.step_lines = {10, 14, 16, 17};
  failed.not_run = {17};
  absl::StatusOr<XfailList> list =
      ParseXfailList("g.xfail", "w.case:14 because \"listed\"\n");
  ASSERT_TRUE(list.ok());
  ConformanceRun run = Compare("linux", host, {failed}, &*list);
  run.host_system = "linux-6.18";
  run.guest_system = "linux-6.1";
  const std::string page = SystemsHtml({run});
  EXPECT_NE(page.find("<ul class=\"steps\"><li>line 14: write(a, &quot;y&quot;) (xfail)</li>"
                      "<li>line 16: read(b, 10) (differs)</li><li>not run: line 17</li></ul>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("steps: 1 same, 0 recorded, 1 xfail, 1 differs, 1 not run</p>"),
            std::string::npos)
      << page;
}

TEST(SystemsHtml, LadderMarksTheBlockedCallItsSleepAndWhoWokeIt) {
  std::vector<CaseOutcome> host = {Outcome("cases/w.case", Verdict::kPass)};
  CaseOutcome failed = Outcome("cases/w.case", Verdict::kFail);
  Failure f;
  f.loc = {"cases/w.case", 14, 1};
  f.peer = "A";
  f.call = "write(a, \"y\")";
  f.expected = "2";
  f.observed = "1";
  f.trace = {{{"cases/w.case", 8, 1}, "", "socketpair(AF_UNIX, SOCK_STREAM)", "0", true},
             {{"cases/w.case", 11, 1}, "B", "read(b, 10)", "blocks", true, true, 3, -1},
             {{"cases/w.case", 12, 1}, "A", "write(a, \"x\")", "1", true},
             {{"cases/w.case", 13, 1}, "B", "wakes", "1 \"x\"", true, false, -1, 2}};
  failed.failure = f;
  ConformanceRun run = Compare("linux", host, {failed}, nullptr);
  run.host_system = "linux-6.18";
  run.guest_system = "linux-6.1";
  const std::string page = SystemsHtml({run});
  EXPECT_NE(page.find(
                "<table class=\"ladder\"><tr><th>line</th><th>setup</th><th>B</th><th>A</th></tr>"
                "<tr><td>8</td><td>socketpair(AF_UNIX, SOCK_STREAM) \u2192 0</td><td></td><td></td></tr>"
                // B's read is marked blocked, with the line that wakes it...
                "<tr><td>11</td><td></td><td class=\"asleep\">read(b, 10) \u2192 blocks "
                "<b>blocked</b>, woken at line 13</td><td></td></tr>"
                // ...B's column says asleep while A writes...
                "<tr><td>12</td><td></td><td class=\"sleeping\">\u22ee asleep</td>"
                "<td>write(a, &quot;x&quot;) \u2192 1</td></tr>"
                // ...the wake names who woke it...
                "<tr><td>13</td><td></td><td>wakes \u2192 1 &quot;x&quot;<div class=\"woke\">"
                "woken by A: write(a, &quot;x&quot;) (line 12)</div></td><td></td></tr>"
                // ...and the step where the system parted is highlighted.
                "<tr class=\"parted\"><td>14</td><td></td><td></td>"
                "<td>write(a, &quot;y&quot;) \u2192 1 (expected 2)</td></tr></table>"),
            std::string::npos)
      << page;
}

TEST(SystemsHtml, LadderOfAWakeThatPartedNamesItsWaker) {
  std::vector<CaseOutcome> host = {Outcome("cases/w.case", Verdict::kPass)};
  CaseOutcome failed = Outcome("cases/w.case", Verdict::kFail);
  Failure f;
  f.loc = {"cases/w.case", 13, 1};
  f.peer = "B";
  f.call = "wakes";
  f.expected = "\"y\"";
  f.observed = "1 \"x\"";
  f.woken_by = 1;
  f.trace = {{{"cases/w.case", 11, 1}, "B", "read(b, 10)", "blocks", true, true, 2, -1},
             {{"cases/w.case", 12, 1}, "A", "write(a, \"x\")", "1", true}};
  failed.failure = f;
  ConformanceRun run = Compare("linux", host, {failed}, nullptr);
  const std::string page = SystemsHtml({run});
  EXPECT_NE(page.find("<b>blocked</b>, woken at line 13</td>"), std::string::npos) << page;
  EXPECT_NE(page.find("<tr class=\"parted\"><td>13</td><td></td><td>wakes \u2192 1 &quot;x&quot; "
                      "(expected &quot;y&quot;)<div class=\"woke\">woken by A: "
                      "write(a, &quot;x&quot;) (line 12)</div></td><td></td></tr>"),
            std::string::npos)
      << page;
}

}  // namespace
}  // namespace sockspec
