#include "harness/html_report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/markdown_report.h"
#include "harness/report_matrix.h"

namespace sockspec {
namespace {

using testing::HasSubstr;
using testing::Not;

CaseOutcome Outcome(const std::string& path, const std::string& instance,
                    const std::string& cover, Verdict v,
                    const std::string& message = "") {
  CaseOutcome o;
  o.path = path;
  o.instance = instance;
  o.title = "Title <" + cover + ">";
  o.covers = {cover};
  o.verdict = v;
  o.message = message;
  return o;
}

ConformanceRun SampleRun() {
  const std::string reset =
      "cases/close/x.case:19:1: B: read(b, 4096): expected 0, got -1 ECONNRESET";
  std::vector<CaseOutcome> host = {
      Outcome("cases/close/x.case", "SOCK_STREAM", "B20", Verdict::kPass),
      Outcome("cases/a/y.case", "", "B03", Verdict::kPass),
      Outcome("cases/a/z.case", "", "B07", Verdict::kPass),
  };
  std::vector<CaseOutcome> guest = {
      Outcome("cases/close/x.case", "SOCK_STREAM", "B20", Verdict::kFail, reset),
      Outcome("cases/a/y.case", "", "B03", Verdict::kPass),
      Outcome("cases/a/z.case", "", "B07", Verdict::kPass),
  };
  ConformanceRun run =
      Compare("gvisor", host, guest,
              {{"cases/a/y.case", {RecordedAnswer{7, "A: shutdown(s, SHUT_RDWR)",
                                                  "0", "ENOTCONN"}}}},
              nullptr);
  run.guest_version = "runsc version 0.0~20221219.0";
  return run;
}

TEST(ReportMatrix, RowsSortByBehaviourWithOneCellPerSystem) {
  std::vector<ReportRow> rows = BuildReportRows(SampleRun());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].behaviours, "B03");
  EXPECT_EQ(rows[2].behaviours, "B20");
  ASSERT_EQ(rows[2].cells.size(), 2u);
  EXPECT_EQ(rows[0].cells[1].status, CellStatus::kRecorded);
  EXPECT_EQ(rows[0].cells[1].expected, "0");
  EXPECT_EQ(rows[0].cells[1].observed, "ENOTCONN");
  EXPECT_EQ(rows[0].cells[1].link, "cases/a/y.case#L7");
  EXPECT_EQ(rows[2].cells[0].status, CellStatus::kPass);
  const ReportCell& differs = rows[2].cells[1];
  EXPECT_EQ(differs.status, CellStatus::kFail);
  EXPECT_EQ(differs.expected, "0");
  EXPECT_EQ(differs.observed, "-1 ECONNRESET");
  EXPECT_EQ(differs.link, "cases/close/x.case#L19");
  EXPECT_EQ(StatusCounts(rows, 1)[static_cast<int>(CellStatus::kFail)], 1);
}

TEST(HtmlReport, IsSelfContainedWithTheMatrixTable) {
  std::string html = HtmlReport(SampleRun());
  EXPECT_THAT(html, HasSubstr("<table id=\"matrix\">"));
  EXPECT_THAT(html, HasSubstr("<th>linux</th><th>gvisor</th>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"cases/close/x.case#L19\">"));
  EXPECT_THAT(html, HasSubstr("expected 0<br>observed -1 ECONNRESET"));
  EXPECT_THAT(html, HasSubstr("class=\"cell recorded\""));
  // Escaped titles; nothing loaded from elsewhere.
  EXPECT_THAT(html, HasSubstr("Title &lt;B20&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
}

TEST(HtmlReport, EscapesMarkup) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(MarkdownReport, HasSummaryAndOneMatrixLinePerRow) {
  std::string md = MarkdownReport(SampleRun());
  EXPECT_THAT(md, HasSubstr("# sockspec conformance: linux vs gvisor\n"));
  EXPECT_THAT(md, HasSubstr("| behaviour | case | instance | linux | gvisor |\n"));
  EXPECT_THAT(md, HasSubstr(
      "| B20 | [Title <B20>](cases/close/x.case) | SOCK_STREAM | "
      "[✅ pass](cases/close/x.case) | [❌ fail](cases/close/x.case#L19)"
      "<br>expected `0`<br>observed `-1 ECONNRESET`<br>B: read(b, 4096) |\n"));
  EXPECT_THAT(md, HasSubstr("🔷 recorded"));
}

TEST(MarkdownReport, EscapesTablePipes) {
  ConformanceRun run = Compare(
      "", {Outcome("cases/p.case", "", "B01", Verdict::kFail,
                   "cases/p.case:2:1: A: poll(a): expected POLLIN|POLLOUT, got 0")},
      {}, {}, nullptr);
  EXPECT_THAT(MarkdownReport(run), HasSubstr("expected `POLLIN\\|POLLOUT`"));
}

}  // namespace
}  // namespace sockspec
