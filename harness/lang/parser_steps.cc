// The parser's steps: `PEER: call(args) = results`, `wakes`/`blocked`/
// `fork`/`repeat`, indented `on PLATFORM = ...` lines, and result lists with
// their attributes. Part of the Parser in parser_internal.h.
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/parser_internal.h"

namespace sockspec {
namespace internal {
namespace {

bool IsUpperInitial(const std::string& s) {
  return !s.empty() && s[0] >= 'A' && s[0] <= 'Z';
}

bool IsResultStop(const Token& t) {
  if (t.kind == TokenKind::kNewline || t.kind == TokenKind::kEof) return true;
  if (t.kind != TokenKind::kIdent) return false;
  return t.text == "or" || t.text == "flags" || t.text == "signal" ||
         t.text == "from" || t.text == "optlen" || t.text == "because";
}

}  // namespace

bool Parser::StepStatement(Step step) {
  const Token& first = Peek();
  step.loc = first.loc;  // after any `when ...:`, where the step begins
  if (Peek(1).kind == TokenKind::kColon) {
    if (!IsUpperInitial(first.text)) {
      return Fail(first, absl::StrCat("peer names are Capitalised: '",
                                      first.text, "'"));
    }
    step.peer = NameRef{first.text, first.loc};
    pos_ += 2;
  } else if (first.text == "on") {
    return Fail(first, "an 'on' line must be indented under its step");
  } else if (!IsIdent("repeat") && Peek(1).kind != TokenKind::kLParen) {
    return Fail(first, absl::StrCat("unknown statement '", first.text, "'"));
  }
  if (!StepBody(&step)) return false;
  case_.steps.push_back(std::move(step));
  last_step_ = true;
  return true;
}

bool Parser::StepBody(Step* step) {
  if (step->peer && IsIdent("wakes")) {
    step->call = NameRef{"wakes", Next().loc};
    step->kind = Step::Kind::kWakes;
    if (!Expect(TokenKind::kEquals, "'='")) return false;
    if (Placeholder(step)) return true;
    return Results(&step->results);
  }
  if (step->peer && IsIdent("blocked") &&
      Peek(1).kind != TokenKind::kLParen) {
    step->call = NameRef{"blocked", Next().loc};
    step->kind = Step::Kind::kBlocked;
    return true;
  }
  if (step->peer && IsIdent("fork") && Peek(1).kind != TokenKind::kLParen) {
    step->call = NameRef{"fork", Next().loc};
    step->kind = Step::Kind::kFork;
    return ExpectIdent(&step->new_peer, "a new peer name");
  }
  if (IsIdent("repeat")) {
    Next();
    if (Peek().kind != TokenKind::kInt && Peek().kind != TokenKind::kVar) {
      return Fail(Peek(), absl::StrCat("expected a repeat count, found ",
                                       DescribeToken(Peek())));
    }
    Expr count;
    if (!ParsePrimary(&count, 0, false)) return false;
    step->repeat = std::move(count);
  }
  if (!ExpectIdent(&step->call, "a call")) return false;
  if (!Expect(TokenKind::kLParen, "'('")) return false;
  if (Peek().kind != TokenKind::kRParen) {
    while (true) {
      Expr e;
      if (!ParseExpr(&e, 0, /*allow_kv=*/true)) return false;
      step->args.push_back(std::move(e));
      if (Peek().kind != TokenKind::kComma) break;
      Next();
    }
  }
  step->rparen = Peek().loc;
  if (!Expect(TokenKind::kRParen, "',' or ')'")) return false;
  if (IsIdent("blocks")) {
    step->blocks = true;
    step->blocks_loc = Next().loc;
    return true;
  }
  if (Peek().kind != TokenKind::kEquals) {
    return Fail(Peek(),
                absl::StrCat("expected '= RESULT' or 'blocks', found ",
                             DescribeToken(Peek())));
  }
  Next();
  if (Placeholder(step)) return true;
  return Results(&step->results);
}

// `= ?`: the result is not yet known. Only the `?` may follow the `=`.
bool Parser::Placeholder(Step* step) {
  if (Peek().kind != TokenKind::kQuestion) return false;
  step->placeholder = Next().loc;
  return true;
}

bool Parser::PlatformStatement() {
  if (!last_step_ || case_.steps.empty()) {
    return Fail(Peek(), "an 'on' line must follow a step");
  }
  PlatformLine line;
  line.loc = Next().loc;
  while (true) {
    NameRef n;
    if (!ExpectIdent(&n, "a platform name")) return false;
    line.platforms.push_back(std::move(n));
    if (Peek().kind != TokenKind::kComma) break;
    Next();
  }
  if (Peek().kind == TokenKind::kCompare) {
    // `on linux < 6.5`: one platform, one kernel version condition.
    if (line.platforms.size() != 1) {
      return Fail(Peek(), "a kernel version condition follows a single platform");
    }
    line.version_op = Next().text;
    if (Peek().kind != TokenKind::kVersion) {
      return Fail(Peek(), absl::StrCat("expected a kernel version (6.5) after '",
                                       line.version_op, "', found ",
                                       DescribeToken(Peek())));
    }
    line.version_loc = Peek().loc;
    line.version = Next().text;
  }
  if (IsIdent("blocks")) {
    Next();
    line.blocks = true;
  } else {
    if (!Expect(TokenKind::kEquals, "'=' or 'blocks'")) return false;
    if (!Results(&line.results)) return false;
  }
  if (!IsIdent("because")) {
    const Token& at = Peek();
    Location loc = at.loc;
    if (AtLineEnd()) loc = toks_[pos_ - 1].end;
    sink_->Add(loc,
               "expected 'because \"source\"': a platform expectation "
               "must say where it is documented");
    return false;
  }
  Next();
  if (Peek().kind != TokenKind::kString) {
    return Fail(Peek(),
                absl::StrCat("expected a string after 'because', found ",
                             DescribeToken(Peek())));
  }
  line.because_loc = Peek().loc;
  line.because = Next().text;
  case_.steps.back().platforms.push_back(std::move(line));
  last_step_ = true;
  return true;
}

bool Parser::Results(std::vector<Alternative>* out) {
  while (true) {
    Alternative alt;
    alt.loc = Peek().loc;
    if (IsResultStop(Peek())) {
      return Fail(Peek(), absl::StrCat("expected a result, found ",
                                       DescribeToken(Peek())));
    }
    while (!IsResultStop(Peek())) {
      Expr e;
      if (Peek().kind == TokenKind::kCompare) {
        // `>= $n`: a one-sided range.
        e.kind = Expr::Kind::kBound;
        e.loc = Peek().loc;
        e.text = Next().text;
        Expr v;
        if (!ParseExpr(&v, 1, false)) return false;
        e.items.push_back(std::move(v));
      } else if (!ParseExpr(&e, 0, /*allow_kv=*/false)) {
        return false;
      }
      bool attr = !alt.values.empty() && e.kind == Expr::Kind::kApply &&
                  (e.text == "rights" || e.text == "cred" ||
                   e.text == "cmsg");
      if (attr || !alt.attrs.empty()) {
        if (!attr) {
          return Fail(Token{TokenKind::kIdent, "", 0, e.loc, e.loc, false},
                      "a result value cannot follow its attributes");
        }
        Attribute a;
        a.key = e.text;
        a.loc = e.loc;
        a.value = std::move(e);
        alt.attrs.push_back(std::move(a));
      } else {
        alt.values.push_back(std::move(e));
      }
      if (Peek().kind == TokenKind::kComma) Next();
      while (IsIdent("flags") || IsIdent("signal") || IsIdent("from") ||
             IsIdent("optlen")) {
        Attribute a;
        a.key = Peek().text;
        a.loc = Next().loc;
        if (!ParseExpr(&a.value, 0, false)) return false;
        alt.attrs.push_back(std::move(a));
      }
    }
    out->push_back(std::move(alt));
    if (!IsIdent("or")) return true;
    Next();
  }
}

}  // namespace internal
}  // namespace sockspec
