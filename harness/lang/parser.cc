#include "harness/lang/parser.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/lexer.h"

namespace sockspec {
namespace {

bool IsUpperInitial(const std::string& s) {
  return !s.empty() && s[0] >= 'A' && s[0] <= 'Z';
}

bool IsHeaderKeyword(const std::string& s) {
  return s == "title" || s == "covers" || s == "source" || s == "matrix" ||
         s == "exclude" || s == "payload" || s == "timeout" || s == "peer" ||
         s == "requires";
}

bool IsResultStop(const Token& t) {
  if (t.kind == TokenKind::kNewline || t.kind == TokenKind::kEof) return true;
  if (t.kind != TokenKind::kIdent) return false;
  return t.text == "or" || t.text == "flags" || t.text == "signal" ||
         t.text == "from" || t.text == "optlen" || t.text == "because";
}

// Thrown-free error flow: every Parse* returns false after reporting, and
// the statement loop skips to the next line.
class Parser {
 public:
  Parser(std::vector<Token> tokens, DiagnosticSink* sink, std::string path)
      : toks_(std::move(tokens)), sink_(sink) {
    case_.path = std::move(path);
  }

  Case Run() {
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

  bool Statement() {
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

  // `NAME=value, NAME=value`: matrix rows (requires, when).
  bool WhenList(std::vector<std::pair<NameRef, Expr>>* out) {
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

  bool StepStatement(Step step) {
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

  bool StepBody(Step* step) {
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
  bool Placeholder(Step* step) {
    if (Peek().kind != TokenKind::kQuestion) return false;
    step->placeholder = Next().loc;
    return true;
  }

  bool PlatformStatement() {
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

  bool Results(std::vector<Alternative>* out) {
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

  // A sum of terms. `+` between data (payloads, slices, strings) is a
  // concatenation, as before captures existed; `+` or `-` next to a number,
  // a `$variable` or arithmetic is arithmetic (kArith, left-associative).
  // `LO..HI` after a number is a range whose ends may be arithmetic.
  bool ParseExpr(Expr* out, int depth, bool allow_kv) {
    if (depth > kMaxExprDepth) {
      return Fail(Peek(), "expression nested too deeply");
    }
    Expr first;
    if (!ParseTerm(&first, depth, allow_kv)) return false;
    if (!IsAdditive()) {
      if (Peek().kind == TokenKind::kDotDot && IsNumeric(first)) {
        return ParseRangeEnd(std::move(first), depth, out);
      }
      *out = std::move(first);
      return true;
    }
    if (Peek().kind == TokenKind::kPlus && !IsNumeric(first)) {
      // Data concatenation: `m1 + m2[0:5] + "x"`.
      out->kind = Expr::Kind::kConcat;
      out->loc = first.loc;
      out->items.push_back(std::move(first));
      while (Peek().kind == TokenKind::kPlus) {
        Next();
        Expr e;
        if (!ParseFlags(&e, depth, false)) return false;
        out->items.push_back(std::move(e));
      }
      return true;
    }
    Expr acc = std::move(first);
    while (IsAdditive()) {
      Expr op;
      op.kind = Expr::Kind::kArith;
      op.loc = acc.loc;
      Expr rhs;
      if (Peek().kind == TokenKind::kInt) {
        // `$n -1` lexes as `$n` and the number -1: a subtraction.
        const Token& t = Next();
        op.text = "-";
        rhs.kind = Expr::Kind::kInt;
        rhs.loc = t.loc;
        rhs.value = -t.value;
      } else {
        op.text = Next().kind == TokenKind::kPlus ? "+" : "-";
        if (!ParseTerm(&rhs, depth + 1, false)) return false;
      }
      op.items.push_back(std::move(acc));
      op.items.push_back(std::move(rhs));
      acc = std::move(op);
    }
    if (Peek().kind == TokenKind::kDotDot) {
      return ParseRangeEnd(std::move(acc), depth, out);
    }
    *out = std::move(acc);
    return true;
  }

  // What arithmetic takes: numbers, `$variables`, arithmetic.
  static bool IsNumeric(const Expr& e) {
    return e.kind == Expr::Kind::kInt || e.kind == Expr::Kind::kVar ||
           e.kind == Expr::Kind::kArith;
  }

  bool IsAdditive() const {
    const Token& t = Peek();
    if (t.kind == TokenKind::kPlus || t.kind == TokenKind::kMinus) return true;
    // A negative number right after a value, on the same line: `$n -1`.
    return t.kind == TokenKind::kInt && t.value < 0 && pos_ > 0 &&
           !t.indented && t.value != std::numeric_limits<int64_t>::min() &&
           (toks_[pos_ - 1].kind == TokenKind::kVar ||
            toks_[pos_ - 1].kind == TokenKind::kRParen ||
            (toks_[pos_ - 1].kind == TokenKind::kInt && pos_ > 1 &&
             (toks_[pos_ - 2].kind == TokenKind::kStar ||
              toks_[pos_ - 2].kind == TokenKind::kSlash ||
              toks_[pos_ - 2].kind == TokenKind::kPlus ||
              toks_[pos_ - 2].kind == TokenKind::kMinus)));
  }

  // At `..` after `lo`: the end, then a kRange whose ends are `items`
  // (plain `1..4096` keeps `value`/`value2` and no items).
  bool ParseRangeEnd(Expr lo, int depth, Expr* out) {
    Next();  // ..
    const TokenKind k = Peek().kind;
    if (k != TokenKind::kInt && k != TokenKind::kVar && k != TokenKind::kLParen) {
      return Fail(Peek(), absl::StrCat("expected the end of the range, found ",
                                       DescribeToken(Peek())));
    }
    Expr hi;
    if (!ParseExpr(&hi, depth + 1, false)) return false;
    if (hi.kind == Expr::Kind::kRange) {
      return Fail(Token{TokenKind::kDotDot, "", 0, hi.loc, hi.loc, false},
                  "a range has one '..'");
    }
    out->kind = Expr::Kind::kRange;
    out->loc = lo.loc;
    if (lo.kind == Expr::Kind::kInt && hi.kind == Expr::Kind::kInt) {
      out->value = lo.value;
      out->value2 = hi.value;
      return true;
    }
    out->items.push_back(std::move(lo));
    out->items.push_back(std::move(hi));
    return true;
  }

  // Factors joined by `*` and `/`.
  bool ParseTerm(Expr* out, int depth, bool allow_kv) {
    Expr acc;
    if (!ParseFlags(&acc, depth, allow_kv)) return false;
    while (Peek().kind == TokenKind::kStar || Peek().kind == TokenKind::kSlash) {
      Expr op;
      op.kind = Expr::Kind::kArith;
      op.loc = acc.loc;
      op.text = Next().kind == TokenKind::kStar ? "*" : "/";
      Expr rhs;
      if (!ParseFlags(&rhs, depth + 1, false)) return false;
      op.items.push_back(std::move(acc));
      op.items.push_back(std::move(rhs));
      acc = std::move(op);
    }
    *out = std::move(acc);
    return true;
  }

  bool ParseFlags(Expr* out, int depth, bool allow_kv) {
    Expr first;
    if (!ParsePrimary(&first, depth, allow_kv)) return false;
    if (Peek().kind != TokenKind::kPipe) {
      *out = std::move(first);
      return true;
    }
    out->kind = Expr::Kind::kFlags;
    out->loc = first.loc;
    out->items.push_back(std::move(first));
    while (Peek().kind == TokenKind::kPipe) {
      Next();
      Expr e;
      if (!ParsePrimary(&e, depth, false)) return false;
      out->items.push_back(std::move(e));
    }
    return true;
  }

  bool ParsePrimary(Expr* out, int depth, bool allow_kv) {
    const Token& t = Peek();
    out->loc = t.loc;
    switch (t.kind) {
      case TokenKind::kInt:
        out->kind = Expr::Kind::kInt;
        out->value = Next().value;
        if (Peek().kind == TokenKind::kDotDot) {
          Expr lo = *out;
          *out = Expr();
          return ParseRangeEnd(std::move(lo), depth, out);
        }
        return true;
      case TokenKind::kString:
        out->kind = Expr::Kind::kString;
        out->text = Next().text;
        return true;
      case TokenKind::kVar:
        out->kind = Expr::Kind::kVar;
        out->text = Next().text;
        return true;
      case TokenKind::kIdent:
        break;
      case TokenKind::kLParen: {
        // `($n + 1) / 2`: kept as a kArith "()" so it prints back as written.
        Next();
        Expr inner;
        if (!ParseExpr(&inner, depth + 1, false)) return false;
        if (!IsNumeric(inner)) {
          return Fail(Token{TokenKind::kLParen, "", 0, inner.loc, inner.loc, false},
                      "parentheses group arithmetic: a number, a '$variable' "
                      "or '+ - * /' of them");
        }
        out->kind = Expr::Kind::kArith;
        out->text = "()";
        out->items.push_back(std::move(inner));
        return Expect(TokenKind::kRParen, "')'");
      }
      default:
        return Fail(t,
                    absl::StrCat("expected a value, found ", DescribeToken(t)));
    }
    out->kind = Expr::Kind::kName;
    out->text = Next().text;
    if (Peek().kind == TokenKind::kLParen) {
      Next();
      out->kind = Expr::Kind::kApply;
      if (Peek().kind != TokenKind::kRParen) {
        while (true) {
          Expr e;
          if (!ParseExpr(&e, depth + 1, /*allow_kv=*/true)) return false;
          out->items.push_back(std::move(e));
          if (Peek().kind != TokenKind::kComma) break;
          Next();
        }
      }
      return Expect(TokenKind::kRParen, "',' or ')'");
    }
    if (Peek().kind == TokenKind::kLBracket) {
      if (!ParseIndex(out)) return false;
      // `c[2]=EPOLLIN` in events(...): the key is an element of an fd array.
      if (!allow_kv || Peek().kind != TokenKind::kEquals ||
          out->kind != Expr::Kind::kIndex || out->empty_index) {
        return true;
      }
      out->text = absl::StrCat(out->text, "[", out->value, "]");
      out->value = 0;
    }
    if (allow_kv && Peek().kind == TokenKind::kEquals) {
      Next();
      out->kind = Expr::Kind::kKeyValue;
      Expr e;
      if (!ParseExpr(&e, depth + 1, false)) return false;
      out->items.push_back(std::move(e));
    }
    return true;
  }

  // `c[]`, `c[2]`, `m[0:10]`, `m[10:]`; a slice's ends may be arithmetic
  // on captures (`m[0:$n / 2]`): then they are `items` (begin, end unless
  // open_end) and `value`/`value2` stay 0.
  bool ParseIndex(Expr* out) {
    Next();  // [
    if (Peek().kind == TokenKind::kRBracket) {
      Next();
      out->kind = Expr::Kind::kIndex;
      out->empty_index = true;
      return true;
    }
    auto starts_value = [this] {
      const TokenKind k = Peek().kind;
      return k == TokenKind::kInt || k == TokenKind::kVar ||
             k == TokenKind::kLParen;
    };
    if (!starts_value()) {
      return Fail(Peek(), absl::StrCat("expected an index, found ",
                                       DescribeToken(Peek())));
    }
    Expr begin;
    if (!ParseExpr(&begin, 1, false)) return false;
    out->kind = Expr::Kind::kIndex;
    if (Peek().kind != TokenKind::kColon) {
      if (begin.kind == Expr::Kind::kVar && !begin.text.empty() &&
          std::isupper(static_cast<unsigned char>(begin.text[0]))) {
        // `c[$I]`: a matrix variable, replaced by the row's value (Substitute).
        out->items.push_back(std::move(begin));
        return Expect(TokenKind::kRBracket, "']'");
      }
      if (begin.kind != Expr::Kind::kInt) {
        return Fail(Token{TokenKind::kInt, "", 0, begin.loc, begin.loc, false},
                    "an fd index is a number: c[2]");
      }
      out->value = begin.value;
      return Expect(TokenKind::kRBracket, "']'");
    }
    Next();  // :
    out->kind = Expr::Kind::kSlice;
    Expr end;
    if (starts_value()) {
      if (!ParseExpr(&end, 1, false)) return false;
    } else {
      out->open_end = true;
    }
    const bool plain = begin.kind == Expr::Kind::kInt &&
                       (out->open_end || end.kind == Expr::Kind::kInt);
    if (plain) {
      out->value = begin.value;
      out->value2 = out->open_end ? 0 : end.value;
    } else {
      out->items.push_back(std::move(begin));
      if (!out->open_end) out->items.push_back(std::move(end));
    }
    return Expect(TokenKind::kRBracket, "']'");
  }

  // At `requires`: what, its argument (nofile N, kernel OP VERSION), and
  // `when NAME=value, ...`. Which names are known is validate's to say.
  bool Require(RequireDecl* r) {
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

  bool Header() {
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

  bool Payload(const Token& kw) {
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

  bool Peer(const Token& kw) {
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

  bool Exclude(const Token& kw) {
    ExcludeDecl x;
    x.loc = kw.loc;
    while (true) {
      NameRef n;
      if (!ExpectIdent(&n, "a matrix variable")) return false;
      if (!Expect(TokenKind::kEquals, "'='")) return false;
      Expr v;
      if (!ParseExpr(&v, 0, false)) return false;
      x.matches.emplace_back(std::move(n), std::move(v));
      if (Peek().kind != TokenKind::kComma) break;
      Next();
    }
    case_.excludes.push_back(std::move(x));
    return true;
  }

  bool Matrix(const Token& kw) {
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

  std::vector<Token> toks_;
  size_t pos_ = 0;
  DiagnosticSink* sink_;
  Case case_;
  bool last_step_ = false;
};

}  // namespace

Case ParseCase(const Source& source, DiagnosticSink* sink) {
  std::vector<Token> tokens = Lex(source, sink);
  return Parser(std::move(tokens), sink, source.path()).Run();
}

}  // namespace sockspec
