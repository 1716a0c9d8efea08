#include "harness/lang/parser.h"

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
        if (!ParseExpr(&e, 0, /*allow_kv=*/false)) return false;
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

  bool ParseExpr(Expr* out, int depth, bool allow_kv) {
    if (depth > kMaxExprDepth) {
      return Fail(Peek(), "expression nested too deeply");
    }
    Expr first;
    if (!ParseFlags(&first, depth, allow_kv)) return false;
    if (Peek().kind != TokenKind::kPlus) {
      *out = std::move(first);
      return true;
    }
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
        if (Peek().kind == TokenKind::kDotDot) return RangeEnd(out);
        return true;
      case TokenKind::kString:
        out->kind = Expr::Kind::kString;
        out->text = Next().text;
        return true;
      case TokenKind::kVar:
        out->kind = Expr::Kind::kVar;
        out->text = Next().text;
        if (Peek().kind == TokenKind::kDotDot) return RangeEnd(out);
        return true;
      case TokenKind::kIdent:
        break;
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

  // At `..` after a range's start (`out`, an int or a `$VAR`): its end. A
  // range with a matrix variable keeps both ends as items until the row's
  // values replace them (Substitute).
  bool RangeEnd(Expr* out) {
    Next();  // ..
    if (Peek().kind != TokenKind::kInt && Peek().kind != TokenKind::kVar) {
      return Fail(Peek(), absl::StrCat("expected the end of the range, found ",
                                       DescribeToken(Peek())));
    }
    Expr end;
    end.loc = Peek().loc;
    end.kind = Peek().kind == TokenKind::kInt ? Expr::Kind::kInt
                                              : Expr::Kind::kVar;
    if (end.kind == Expr::Kind::kInt) end.value = Peek().value;
    if (end.kind == Expr::Kind::kVar) end.text = Peek().text;
    Next();
    if (out->kind == Expr::Kind::kInt && end.kind == Expr::Kind::kInt) {
      out->kind = Expr::Kind::kRange;
      out->value2 = end.value;
      return true;
    }
    Expr start = *out;
    out->kind = Expr::Kind::kRange;
    out->text.clear();
    out->items = {std::move(start), std::move(end)};
    return true;
  }

  // An index or slice bound: a number, or a `$VAR` kept as an item.
  bool IndexBound(Expr* out, int64_t* value) {
    if (Peek().kind == TokenKind::kVar) {
      Expr v;
      v.kind = Expr::Kind::kVar;
      v.loc = Peek().loc;
      v.text = Next().text;
      out->items.push_back(std::move(v));
      return true;
    }
    if (Peek().kind != TokenKind::kInt) {
      return Fail(Peek(), absl::StrCat("expected an index, found ",
                                       DescribeToken(Peek())));
    }
    Expr n;
    n.kind = Expr::Kind::kInt;
    n.loc = Peek().loc;
    n.value = *value = Next().value;
    if (!out->items.empty()) out->items.push_back(std::move(n));
    return true;
  }

  bool ParseIndex(Expr* out) {
    Next();  // [
    if (Peek().kind == TokenKind::kRBracket) {
      Next();
      out->kind = Expr::Kind::kIndex;
      out->empty_index = true;
      return true;
    }
    const Location start_loc = Peek().loc;
    if (!IndexBound(out, &out->value)) return false;
    out->kind = Expr::Kind::kIndex;
    if (Peek().kind == TokenKind::kColon) {
      Next();
      out->kind = Expr::Kind::kSlice;
      if (Peek().kind == TokenKind::kInt || Peek().kind == TokenKind::kVar) {
        const bool had_items = !out->items.empty();
        if (!IndexBound(out, &out->value2)) return false;
        if (!had_items && !out->items.empty()) {
          // `m[0:$N]`: the start joins the items too.
          Expr n;
          n.kind = Expr::Kind::kInt;
          n.loc = start_loc;
          n.value = out->value;
          out->items.insert(out->items.begin(), std::move(n));
        }
      } else {
        out->open_end = true;
      }
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
