// The case language's tokens: one statement per line, so newlines are tokens.
// Bad bytes, bad escapes and unterminated strings become kError tokens with a
// diagnostic; the parser skips the rest of such a line.
//
//   Lex(source, &sink) on "A: read(b, 10) = 0\n" gives
//   Ident(A) Colon Ident(read) LParen Ident(b) Comma Int(10) RParen Equals
//   Int(0) Newline Eof
#ifndef SOCKSPEC_HARNESS_LANG_LEXER_H_
#define SOCKSPEC_HARNESS_LANG_LEXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "harness/lang/diagnostic.h"
#include "harness/plan/plan.h"
#include "harness/lang/source.h"

namespace sockspec {

enum class TokenKind {
  kIdent,   // AF_UNIX, read, A, m1
  kVar,     // $TYPE, $sndbuf (text is "TYPE"): a matrix variable (upper
            // case) or a captured value (lower case)
  kInt,     // 10, -1
  kString,  // "..." (text is the decoded bytes)
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kEquals,
  kPipe,
  kColon,
  kPlus,
  kMinus,  // `$n - 1` (arithmetic on captures)
  kStar,
  kSlash,
  kDotDot,
  kCompare,  // <, <=, >, >= (text is the operator)
  kVersion,  // 5.4, 6.1.119 (text as written)
  kQuestion,  // `?`: a result not yet known (a placeholder)
  kNewline,
  kEof,
  kError,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string text;   // identifier, variable name, or decoded string bytes
  int64_t value = 0;  // kInt
  Location loc;       // first byte
  Location end;       // just past the last byte
  // The first token of its line, and white space came before it (an `on`
  // continuation line).
  bool indented = false;
};

// "identifier 'read'", "','", "end of line": how messages name a token.
std::string DescribeToken(const Token& token);

// The tokens of `source`, always ending in kNewline kEof. Problems are
// reported to `sink` and leave a kError token in place.
std::vector<Token> Lex(const Source& source, DiagnosticSink* sink);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_LEXER_H_
