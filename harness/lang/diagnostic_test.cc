#include "harness/lang/diagnostic.h"

#include "gtest/gtest.h"
#include "harness/lang/source.h"

namespace sockspec {
namespace {

TEST(Source, MapsOffsetsToOneBasedLinesAndColumns) {
  Source src("x.case", "ab\ncd\n");
  Location loc = src.LocationAt(4);  // 'd'
  EXPECT_EQ(loc.path, "x.case");
  EXPECT_EQ(loc.line, 2);
  EXPECT_EQ(loc.col, 2);
  EXPECT_EQ(src.LocationAt(0).line, 1);
  EXPECT_EQ(src.LocationAt(0).col, 1);
}

TEST(Source, ClampsOffsetsPastTheEnd) {
  Source src("x.case", "ab");
  Location loc = src.LocationAt(99);
  EXPECT_EQ(loc.line, 1);
  EXPECT_EQ(loc.col, 3);
}

TEST(Source, ReturnsLinesWithoutTheirEndings) {
  Source src("x.case", "one\r\ntwo\nthree");
  EXPECT_EQ(src.Line(1), "one");
  EXPECT_EQ(src.Line(2), "two");
  EXPECT_EQ(src.Line(3), "three");
  EXPECT_EQ(src.Line(4), "");
  EXPECT_EQ(src.Line(0), "");
}

TEST(Diagnostic, FormatsLikeLlvmWithACaretUnderTheColumn) {
  Diagnostic d{{"cases/close/x.case", 2, 9}, "fd 'b' is not held by peer A"};
  std::string text = "peer A holds a\nA: read(b, 10) = 0\n";
  EXPECT_EQ(FormatDiagnostic(d, text),
            "cases/close/x.case:2:9: error: fd 'b' is not held by peer A\n"
            "A: read(b, 10) = 0\n"
            "        ^\n");
}

TEST(Diagnostic, KeepsTabsBeforeTheCaretSoItLinesUp) {
  Diagnostic d{{"x.case", 1, 4}, "m"};
  EXPECT_EQ(FormatDiagnostic(d, "\ta\tb\n"),
            "x.case:1:4: error: m\n\ta\tb\n\t \t^\n");
}

TEST(Diagnostic, PutsTheCaretPastTheEndForAMissingToken) {
  Diagnostic d{{"x.case", 1, 4}, "expected 'because'"};
  EXPECT_EQ(FormatDiagnostic(d, "a b"),
            "x.case:1:4: error: expected 'because'\na b\n   ^\n");
}

TEST(Diagnostic, ShowsControlBytesAsQuestionMarks) {
  Diagnostic d{{"x.case", 1, 2}, "NUL byte in case file"};
  std::string text("a\0b", 3);
  EXPECT_EQ(FormatDiagnostic(d, text),
            "x.case:1:2: error: NUL byte in case file\na?b\n ^\n");
}

TEST(Diagnostic, PrintsOnlyTheMessageWithoutALine) {
  Diagnostic d{{"x.case", 0, 0}, "unknown platform 'x'"};
  EXPECT_EQ(FormatDiagnostic(d, "text"),
            "x.case: error: unknown platform 'x'\n");
}

TEST(Diagnostic, ShortFormIsLineColMessage) {
  EXPECT_EQ(ShortDiagnostic({{"p", 12, 3}, "boom"}), "12:3: boom");
}

TEST(DiagnosticSink, DropsExactDuplicatesAndStopsAtTheLimit) {
  DiagnosticSink sink(2);
  sink.Add({"p", 1, 1}, "a");
  sink.Add({"p", 1, 1}, "a");
  sink.Add({"p", 2, 1}, "b");
  sink.Add({"p", 3, 1}, "c");
  ASSERT_EQ(sink.size(), 2u);
  EXPECT_EQ(sink.diagnostics()[1].message, "b");
}

}  // namespace
}  // namespace sockspec
