// The statement loop and the header and declarations (title, covers,
// source, matrix, exclude, payload, timeout, peer, requires); ParseCase.
#include "harness/lang/parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/lexer.h"
#include "harness/lang/parser_internal.h"

namespace sockspec {
namespace internal {
namespace {

bool IsHeaderKeyword(const std::string& s) {
  return s == "title" || s == "covers" || s == "source" || s == "matrix" ||
         s == "exclude" || s == "payload" || s == "timeout" || s == "peer" ||
         s == "requires";
}

}  // namespace

Case Parser::Run() {
  while (Peek().kind != TokenKind::kEof) {
    if (Peek().kind == TokenKind::kNewline) {
      ++pos_;
      continue;
    }
    bool ok = Statement();
    if (ok && !AtLineEnd()) {
      Fail(Peek(), absl::StrCat("expected end of line, found ",
                                DescribeToken(Peek())));
      ok = false;
    }
    if (!ok) SkipLine();
  }
  return std::move(case_);
}

bool Parser::Statement() {
  const Token& first = Peek();
  if (first.kind == TokenKind::kIdent && first.indented &&
      first.text == "on") {
    return PlatformStatement();
  }
  if (first.kind == TokenKind::kIdent && first.indented &&
      first.text == "requires" && last_step_ && !case_.steps.empty()) {
    RequireDecl r;
    if (!Require(&r)) return false;
    case_.steps.back().requirements.push_back(std::move(r));
    return true;
  }
  last_step_ = false;
  if (first.kind != TokenKind::kIdent) {
    return Fail(first, absl::StrCat("expected a statement, found ",
                                    DescribeToken(first)));
  }
  if (IsHeaderKeyword(first.text) && Peek(1).kind != TokenKind::kColon &&
      (Peek(1).kind != TokenKind::kLParen || first.text == "matrix")) {
    return Header();
  }
  Step step;
  step.loc = first.loc;
  if (first.text == "when" && Peek(1).kind == TokenKind::kIdent) {
    // `when TYPE=SOCK_STREAM: STEP`: the step belongs to those rows.
    Next();
    if (!WhenList(&step.when)) return false;
    if (!Expect(TokenKind::kColon, "',' or ':' before the step")) {
      return false;
    }
    if (Peek().kind != TokenKind::kIdent) {
      return Fail(Peek(), absl::StrCat("expected a step after 'when ...:', "
                                       "found ",
                                       DescribeToken(Peek())));
    }
  }
  return StepStatement(std::move(step));
}

// `NAME=value, NAME=value`: matrix rows (requires, when, exclude).
bool Parser::WhenList(std::vector<std::pair<NameRef, Expr>>* out) {
  while (true) {
    NameRef n;
    if (!ExpectIdent(&n, "a matrix variable")) return false;
    if (!Expect(TokenKind::kEquals, "'='")) return false;
    Expr v;
    if (!ParseExpr(&v, 0, false)) return false;
    out->emplace_back(std::move(n), std::move(v));
    if (Peek().kind != TokenKind::kComma) return true;
    Next();
  }
}

// At `requires`: what, its argument (nofile N, kernel OP VERSION), and
// `when NAME=value, ...`. Which names are known is validate's to say.
bool Parser::Require(RequireDecl* r) {
  r->loc = Next().loc;
  if (!ExpectIdent(&r->what, "what is required (ipv6, root, CAP_NAME, "
                             "nofile N, kernel >= X.Y)")) {
    return false;
  }
  r->arg.loc = Peek().loc;
  if (r->what.name == "nofile") {
    if (Peek().kind != TokenKind::kInt) {
      return Fail(Peek(), absl::StrCat("expected a number of files after "
                                       "'nofile', found ",
                                       DescribeToken(Peek())));
    }
    r->arg.kind = Expr::Kind::kInt;
    r->arg.value = Next().value;
  } else if (r->what.name == "kernel") {
    if (Peek().kind != TokenKind::kCompare &&
        Peek().kind != TokenKind::kEquals) {
      return Fail(Peek(), absl::StrCat("expected a comparison (>=, >, <=, "
                                       "<, =) after 'kernel', found ",
                                       DescribeToken(Peek())));
    }
    r->op_loc = Peek().loc;
    r->op = Peek().kind == TokenKind::kEquals ? "=" : Peek().text;
    Next();
    r->arg.loc = Peek().loc;
    if (Peek().kind != TokenKind::kVersion && Peek().kind != TokenKind::kInt) {
      return Fail(Peek(), absl::StrCat("expected a kernel version (5.4) "
                                       "after '", r->op, "', found ",
                                       DescribeToken(Peek())));
    }
    r->arg.kind = Expr::Kind::kName;
    r->arg.text = Peek().kind == TokenKind::kInt
                      ? absl::StrCat(Peek().value)
                      : Peek().text;
    Next();
  }
  if (!IsIdent("when")) return true;
  Next();
  return WhenList(&r->when);
}

bool Parser::Header() {
  if (IsIdent("requires")) {
    RequireDecl r;
    if (!Require(&r)) return false;
    case_.requirements.push_back(std::move(r));
    return true;
  }
  const Token& kw = Next();
  const std::string& k = kw.text;
  if (k == "title" || k == "source") {
    if (Peek().kind != TokenKind::kString) {
      return Fail(Peek(), absl::StrCat("expected a string after '", k,
                                       "', found ", DescribeToken(Peek())));
    }
    (k == "title" ? case_.titles : case_.sources)
        .emplace_back(kw.loc, Next().text);
    return true;
  }
  if (k == "covers") {
    if (AtLineEnd())
      return Fail(Peek(), "expected behaviour ids after 'covers'");
    case_.has_covers = true;
    case_.covers_loc = kw.loc;
    while (!AtLineEnd()) {
      NameRef n;
      if (!ExpectIdent(&n, "a behaviour id")) return false;
      case_.covers.push_back(std::move(n));
    }
    return true;
  }
  if (k == "timeout") {
    if (Peek().kind != TokenKind::kInt) {
      return Fail(Peek(), absl::StrCat(
                              "expected milliseconds after 'timeout', found ",
                              DescribeToken(Peek())));
    }
    case_.timeouts.emplace_back(Peek().loc, Next().value);
    return true;
  }
  if (k == "payload") return Payload(kw);
  if (k == "peer") return Peer(kw);
  if (k == "exclude") return Exclude(kw);
  return Matrix(kw);
}

bool Parser::Payload(const Token& kw) {
  PayloadDecl p;
  p.loc = kw.loc;
  if (!ExpectIdent(&p.name, "a payload name")) return false;
  if (!Expect(TokenKind::kEquals, "'='")) return false;
  if (Peek().kind != TokenKind::kInt && Peek().kind != TokenKind::kString &&
      Peek().kind != TokenKind::kVar) {
    return Fail(Peek(), absl::StrCat("expected a size or a string, found ",
                                     DescribeToken(Peek())));
  }
  if (!ParsePrimary(&p.value, 0, false)) return false;
  if (p.value.kind == Expr::Kind::kRange) {
    return Fail(Peek(), "a payload size is one number");
  }
  case_.payloads.push_back(std::move(p));
  return true;
}

bool Parser::Peer(const Token& kw) {
  PeerStmt p;
  p.loc = kw.loc;
  if (!ExpectIdent(&p.name, "a peer name")) return false;
  if (IsIdent("holds")) {
    Next();
    while (true) {
      Expr e;
      if (!ParsePrimary(&e, 0, false)) return false;
      p.holds.push_back(std::move(e));
      if (Peek().kind != TokenKind::kComma) break;
      Next();
    }
  }
  case_.peers.push_back(std::move(p));
  return true;
}

bool Parser::Exclude(const Token& kw) {
  ExcludeDecl x;
  x.loc = kw.loc;
  if (!WhenList(&x.matches)) return false;
  case_.excludes.push_back(std::move(x));
  return true;
}

bool Parser::Matrix(const Token& kw) {
  MatrixDecl m;
  m.loc = kw.loc;
  if (Peek().kind == TokenKind::kLParen) {
    m.tuple = true;
    Next();
    while (true) {
      NameRef n;
      if (!ExpectIdent(&n, "a matrix variable")) return false;
      m.names.push_back(std::move(n));
      if (Peek().kind != TokenKind::kComma) break;
      Next();
    }
    if (!Expect(TokenKind::kRParen, "',' or ')'")) return false;
  } else {
    NameRef n;
    if (!ExpectIdent(&n, "a matrix variable")) return false;
    m.names.push_back(std::move(n));
  }
  if (!Expect(TokenKind::kEquals, "'='")) return false;
  while (true) {
    std::vector<Expr> row;
    if (m.tuple) {
      if (!Expect(TokenKind::kLParen, "'('")) return false;
      while (true) {
        Expr e;
        if (!ParseExpr(&e, 0, false)) return false;
        row.push_back(std::move(e));
        if (Peek().kind != TokenKind::kComma) break;
        Next();
      }
      if (!Expect(TokenKind::kRParen, "',' or ')'")) return false;
    } else {
      Expr e;
      if (!ParseExpr(&e, 0, false)) return false;
      row.push_back(std::move(e));
    }
    m.rows.push_back(std::move(row));
    if (Peek().kind != TokenKind::kComma) break;
    Next();
  }
  case_.matrices.push_back(std::move(m));
  return true;
}

}  // namespace internal

Case ParseCase(const Source& source, DiagnosticSink* sink) {
  std::vector<Token> tokens = Lex(source, sink);
  return internal::Parser(std::move(tokens), sink, source.path()).Run();
}

}  // namespace sockspec
