#include "harness/lang/lexer.h"

#include <vector>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

struct Lexed {
  std::vector<Token> tokens;
  std::vector<Diagnostic> errors;
};

Lexed LexText(const std::string& text) {
  DiagnosticSink sink;
  Source src("t.case", text);
  std::vector<Token> tokens = Lex(src, &sink);
  return {tokens, sink.Take()};
}

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> out;
  for (const Token& t : tokens) out.push_back(t.kind);
  return out;
}

using K = TokenKind;

TEST(Lexer, SplitsAStepIntoTokens) {
  Lexed l = LexText("A: read(b, 10) = 0\n");
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(Kinds(l.tokens),
            (std::vector<K>{K::kIdent, K::kColon, K::kIdent, K::kLParen,
                            K::kIdent, K::kComma, K::kInt, K::kRParen,
                            K::kEquals, K::kInt, K::kNewline, K::kEof}));
  EXPECT_EQ(l.tokens[2].text, "read");
  EXPECT_EQ(l.tokens[2].loc.col, 4);
}

TEST(Lexer, SkipsCommentsToTheEndOfTheLine) {
  Lexed l = LexText("# a comment (with = signs)\nx\n");
  EXPECT_EQ(Kinds(l.tokens),
            (std::vector<K>{K::kNewline, K::kIdent, K::kNewline, K::kEof}));
}

TEST(Lexer, ReadsNegativeIntegersAndRanges) {
  Lexed l = LexText("-1 1..4096");
  ASSERT_EQ(Kinds(l.tokens), (std::vector<K>{K::kInt, K::kInt, K::kDotDot,
                                             K::kInt, K::kNewline, K::kEof}));
  EXPECT_EQ(l.tokens[0].value, -1);
  EXPECT_EQ(l.tokens[3].value, 4096);
}

TEST(Lexer, ReadsTheMostNegativeIntegerButNotOneBeyond) {
  EXPECT_EQ(LexText("-9223372036854775808").tokens[0].value, INT64_MIN);
  Lexed l = LexText("9223372036854775808");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].message, "integer out of range");
}

TEST(Lexer, DecodesEveryStringEscape) {
  Lexed l = LexText(R"("a\n\t\r\0\\\"\x41")");
  ASSERT_TRUE(l.errors.empty());
  EXPECT_EQ(l.tokens[0].text, std::string("a\n\t\r\0\\\"A", 8));
}

TEST(Lexer, RejectsAnUnknownEscapeAtTheBackslash) {
  Lexed l = LexText("write(a, \"x\\q\")");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].loc.col, 12);
  EXPECT_EQ(l.errors[0].message,
            "unknown escape '\\q' in string (known: \\n \\t \\r \\0 \\\\ \\\" "
            "\\xNN)");
}

TEST(Lexer, RejectsAHexEscapeWithoutTwoDigits) {
  Lexed l = LexText("\"\\x4\"");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].message, "'\\x' needs two hex digits");
}

TEST(Lexer, RejectsAnUnterminatedStringAtItsQuote) {
  Lexed l = LexText("x \"abc\ny");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].loc.col, 3);
  EXPECT_EQ(l.errors[0].message, "unterminated string");
}

TEST(Lexer, RejectsNulBytesWithTheirLocation) {
  Lexed l = LexText(std::string("ab\ncd\0", 6));
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].loc.line, 2);
  EXPECT_EQ(l.errors[0].loc.col, 3);
  EXPECT_EQ(l.errors[0].message, "NUL byte in case file");
}

TEST(Lexer, RejectsControlBytesEvenInComments) {
  Lexed l = LexText("# bell \x07\n");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].message, "control byte 0x07 in case file");
}

TEST(Lexer, AcceptsCrLfLineEndings) {
  Lexed l = LexText("a\r\nb\r\n");
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(Kinds(l.tokens), (std::vector<K>{K::kIdent, K::kNewline, K::kIdent,
                                             K::kNewline, K::kEof}));
}

TEST(Lexer, MarksAnIndentedFirstTokenForOnLines) {
  Lexed l = LexText("x\n   on freebsd = 0\n");
  EXPECT_FALSE(l.tokens[0].indented);
  EXPECT_TRUE(l.tokens[2].indented);
  EXPECT_EQ(l.tokens[2].text, "on");
}

TEST(Lexer, ReadsMatrixVariablesWithoutTheDollar) {
  Lexed l = LexText("$TYPE");
  EXPECT_EQ(l.tokens[0].kind, K::kVar);
  EXPECT_EQ(l.tokens[0].text, "TYPE");
}

TEST(Lexer, RejectsAStrayCharacter) {
  Lexed l = LexText("a @ b");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].loc.col, 3);
  EXPECT_EQ(l.errors[0].message, "unexpected character '@'");
}

TEST(Lexer, RejectsANumberRunIntoAName) {
  Lexed l = LexText("10abc");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].message, "malformed number '10abc'");
}

}  // namespace
}  // namespace sockspec
