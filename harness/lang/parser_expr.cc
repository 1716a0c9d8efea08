// The parser's expressions: sums, products, `|` flags, ranges, calls
// `name(args)`, `key=value`, indexes and slices, `$captures`. Part of the
// Parser in parser_internal.h.
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/parser.h"
#include "harness/lang/parser_internal.h"

namespace sockspec {
namespace internal {

// A sum of terms. `+` between data (payloads, slices, strings) is a
// concatenation, as before captures existed; `+` or `-` next to a number,
// a `$variable` or arithmetic is arithmetic (kArith, left-associative).
// `LO..HI` after a number is a range whose ends may be arithmetic.
bool Parser::ParseExpr(Expr* out, int depth, bool allow_kv) {
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
bool Parser::IsNumeric(const Expr& e) {
  return e.kind == Expr::Kind::kInt || e.kind == Expr::Kind::kVar ||
         e.kind == Expr::Kind::kArith;
}

bool Parser::IsAdditive() const {
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
bool Parser::ParseRangeEnd(Expr lo, int depth, Expr* out) {
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
bool Parser::ParseTerm(Expr* out, int depth, bool allow_kv) {
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

bool Parser::ParseFlags(Expr* out, int depth, bool allow_kv) {
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

bool Parser::ParsePrimary(Expr* out, int depth, bool allow_kv) {
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
bool Parser::ParseIndex(Expr* out) {
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

}  // namespace internal
}  // namespace sockspec
