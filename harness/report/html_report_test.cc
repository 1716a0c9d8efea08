#include "harness/report/html_report.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/report/markdown_report.h"
#include "harness/report/report_matrix.h"

namespace sockspec {
namespace {

using testing::HasSubstr;
using testing::Not;

CaseOutcome Outcome(const std::string& path, const std::string& instance,
                    const std::string& cover, Verdict v,
                    std::optional<Failure> failure = std::nullopt) {
  CaseOutcome o;
  o.path = path;
  o.instance = instance;
  o.title = "Title <" + cover + ">";
  o.covers = {cover};
  o.verdict = v;
  o.failure = std::move(failure);
  return o;
}

Failure Mismatch(const std::string& path, int line, const std::string& peer,
                 const std::string& call, const std::string& expected,
                 const std::string& observed) {
  Failure f;
  f.loc = {path, line, 1};
  f.peer = peer;
  f.call = call;
  f.expected = expected;
  f.observed = observed;
  return f;
}

ConformanceRun SampleRun() {
  const Failure reset = Mismatch("cases/close/x.case", 19, "B", "read(b, 4096)",
                                 "0", "-1 ECONNRESET");
  RecordedAnswer a;
  a.loc = {"cases/a/y.case", 7, 1};
  a.peer = "A";
  a.call = "shutdown(s, SHUT_RDWR)";
  a.default_answer = "0";
  a.platform_answer = "ENOTCONN";
  CaseOutcome recorded = Outcome("cases/a/y.case", "", "B03", Verdict::kPass);
  recorded.recorded = {a};
  std::vector<CaseOutcome> host = {
      Outcome("cases/close/x.case", "SOCK_STREAM", "B20", Verdict::kPass),
      Outcome("cases/a/y.case", "", "B03", Verdict::kPass),
      Outcome("cases/a/z.case", "", "B07", Verdict::kPass),
  };
  std::vector<CaseOutcome> guest = {
      Outcome("cases/close/x.case", "SOCK_STREAM", "B20", Verdict::kFail, reset),
      recorded,
      Outcome("cases/a/z.case", "", "B07", Verdict::kPass),
  };
  ConformanceRun run = Compare("gvisor", host, guest, nullptr);
  run.guest_system = "gvisor-20221219";
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
  EXPECT_THAT(html, HasSubstr("<th>linux</th><th>gvisor-20221219</th>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"cases/close/x.case#L19\">"));
  EXPECT_THAT(html, HasSubstr("expected 0<br>observed -1 ECONNRESET"));
  EXPECT_THAT(html, HasSubstr("class=\"cell recorded\""));
  // A recorded cell names the systems from the run, not a fixed word.
  EXPECT_THAT(html, HasSubstr("linux 0<br>gvisor-20221219 ENOTCONN"));
  // Escaped titles; nothing loaded from elsewhere.
  EXPECT_THAT(html, HasSubstr("Title &lt;B20&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  // The guest's steps, counted once each (the sample's outcomes carry no
  // step lines, so only the failing step and the recorded one count).
  EXPECT_THAT(html, HasSubstr("<table class=\"summary\" id=\"steps\">"));
  EXPECT_THAT(html, HasSubstr("<th>steps in gvisor-20221219</th><th>same</th>"));
}

TEST(HtmlReport, EscapesMarkup) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(MarkdownReport, HasSummaryAndOneMatrixLinePerRow) {
  std::string md = MarkdownReport(SampleRun());
  EXPECT_THAT(md, HasSubstr("# sockspec conformance: linux vs gvisor-20221219\n"));
  EXPECT_THAT(md, HasSubstr("| behaviour | case | instance | linux | gvisor-20221219 |\n"));
  EXPECT_THAT(md, HasSubstr(
      "| B20 | [Title <B20>](cases/close/x.case) | SOCK_STREAM | "
      "[✅ pass](cases/close/x.case) | [❌ fail](cases/close/x.case#L19)"
      "<br>expected `0`<br>observed `-1 ECONNRESET`<br>B: read(b, 4096) |\n"));
  EXPECT_THAT(md, HasSubstr("🔷 recorded"));
}

TEST(MarkdownReport, EscapesTablePipes) {
  ConformanceRun run = Compare(
      "", {Outcome("cases/p.case", "", "B01", Verdict::kFail,
                   Mismatch("cases/p.case", 2, "A", "poll(a)", "POLLIN|POLLOUT", "0"))},
      {}, nullptr);
  EXPECT_THAT(MarkdownReport(run), HasSubstr("expected `POLLIN\\|POLLOUT`"));
}

TEST(HtmlReport, ObservedBytesThatLookLikeAReportFillTheRightCells) {
  // The observed data holds ": expected " and ", got ": a message split
  // back into parts would cut it there; the record is not split.
  const Failure odd = Mismatch("cases/q.case", 10, "B", "read(b, 40)", "5 \"other\"",
                               "20 \"k: expected 1, got 2\"");
  ConformanceRun run = Compare(
      "gvisor", {Outcome("cases/q.case", "", "B01", Verdict::kPass)},
      {Outcome("cases/q.case", "", "B01", Verdict::kFail, odd)}, nullptr);
  std::vector<ReportRow> rows = BuildReportRows(run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[1].expected, "5 \"other\"");
  EXPECT_EQ(rows[0].cells[1].observed, "20 \"k: expected 1, got 2\"");
  EXPECT_EQ(rows[0].cells[1].note, "B: read(b, 40)");
  EXPECT_THAT(HtmlReport(run),
              HasSubstr("expected 5 &quot;other&quot;<br>observed 20 &quot;k: "
                        "expected 1, got 2&quot;</div>"));
  nlohmann::json json = nlohmann::json::parse(ComparisonJson(run));
  const nlohmann::json& guest = json["rows"][0]["guest"]["failure"];
  EXPECT_EQ(guest["expected"], "5 \"other\"");
  EXPECT_EQ(guest["observed"], "20 \"k: expected 1, got 2\"");
  EXPECT_EQ(guest["call"], "read(b, 40)");
}

TEST(HtmlReport, InvalidUtf8IsReplaced) {
  CaseOutcome o = Outcome("cases/\xff.case", "", "B01", Verdict::kPass);
  o.title = "bad \xc3 title";
  std::string html = HtmlReport(Compare("", {o}, {}, nullptr));
  EXPECT_THAT(html, HasSubstr("bad \xEF\xBF\xBD title"));
  EXPECT_THAT(html, Not(HasSubstr("\xff")));
  std::string md = MarkdownReport(Compare("", {o}, {}, nullptr));
  EXPECT_THAT(md, HasSubstr("bad \xEF\xBF\xBD title"));
}

}  // namespace
}  // namespace sockspec

namespace sockspec {
namespace {

TEST(ReportMatrix, ASkippedCellIsNotRunAndSaysWhyInBothPages) {
  CaseOutcome host = Outcome("cases/b/m.case", "inet6", "B05", Verdict::kSkip);
  host.skip_reason = "cases/b/m.case:9: requires ipv6: bind(::1) failed EADDRNOTAVAIL";
  ConformanceRun run = Compare("", {host}, {}, nullptr);
  std::vector<ReportRow> rows = BuildReportRows(run);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[0].status, CellStatus::kNotRun);
  EXPECT_EQ(rows[0].cells[0].note, "skipped: " + host.skip_reason);
  EXPECT_THAT(HtmlReport(run),
              HasSubstr("skipped: cases/b/m.case:9: requires ipv6: bind(::1) "
                        "failed EADDRNOTAVAIL"));
  EXPECT_THAT(MarkdownReport(run),
              HasSubstr("skipped: cases/b/m.case:9: requires ipv6: bind(::1) "
                        "failed EADDRNOTAVAIL"));
}

}  // namespace
}  // namespace sockspec
