// The parser's state and its parts, shared by the files that implement
// them: parser.cc (the statement loop, the header and declarations),
// parser_steps.cc (steps and their results), parser_expr.cc (expressions).
// Internal to harness/lang; the interface is parser.h.
#ifndef SOCKSPEC_HARNESS_LANG_PARSER_INTERNAL_H_
#define SOCKSPEC_HARNESS_LANG_PARSER_INTERNAL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/lexer.h"

namespace sockspec {
namespace internal {

// Thrown-free error flow: every Parse* returns false after reporting, and
// the statement loop skips to the next line.
class Parser {
 public:
  Parser(std::vector<Token> tokens, DiagnosticSink* sink, std::string path)
      : toks_(std::move(tokens)), sink_(sink) {
    case_.path = std::move(path);
  }

  Case Run();

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool AtLineEnd() const {
    return Peek().kind == TokenKind::kNewline || Peek().kind == TokenKind::kEof;
  }
  bool IsIdent(const char* text, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kIdent && Peek(ahead).text == text;
  }
  void SkipLine() {
    while (!AtLineEnd()) ++pos_;
  }
  bool Fail(const Token& at, std::string message) {
    // A kError token was already reported by the lexer.
    if (at.kind != TokenKind::kError) sink_->Add(at.loc, std::move(message));
    return false;
  }
  bool Expect(TokenKind kind, const char* what) {
    if (Peek().kind == kind) {
      Next();
      return true;
    }
    return Fail(Peek(), absl::StrCat("expected ", what, ", found ",
                                     DescribeToken(Peek())));
  }
  bool ExpectIdent(NameRef* out, const char* what) {
    if (Peek().kind != TokenKind::kIdent) {
      return Fail(Peek(), absl::StrCat("expected ", what, ", found ",
                                       DescribeToken(Peek())));
    }
    out->name = Peek().text;
    out->loc = Next().loc;
    return true;
  }

  // parser.cc: statements, the header and declarations.
  bool Statement();
  bool WhenList(std::vector<std::pair<NameRef, Expr>>* out);
  bool Require(RequireDecl* r);
  bool Header();
  bool Payload(const Token& kw);
  bool Peer(const Token& kw);
  bool Exclude(const Token& kw);
  bool Matrix(const Token& kw);

  // parser_steps.cc: steps, their `on` lines and results.
  bool StepStatement(Step step);
  bool StepBody(Step* step);
  bool Placeholder(Step* step);
  bool PlatformStatement();
  bool Results(std::vector<Alternative>* out);

  // parser_expr.cc: expressions.
  bool ParseExpr(Expr* out, int depth, bool allow_kv);
  static bool IsNumeric(const Expr& e);
  bool IsAdditive() const;
  bool ParseRangeEnd(Expr lo, int depth, Expr* out);
  bool ParseTerm(Expr* out, int depth, bool allow_kv);
  bool ParseFlags(Expr* out, int depth, bool allow_kv);
  bool ParsePrimary(Expr* out, int depth, bool allow_kv);
  bool ParseIndex(Expr* out);

  std::vector<Token> toks_;
  size_t pos_ = 0;
  DiagnosticSink* sink_;
  Case case_;
  bool last_step_ = false;
};

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_PARSER_INTERNAL_H_
