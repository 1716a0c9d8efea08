// The case model: a parsed case file before any checking. Statements keep
// their locations; values are kept as written (symbols unresolved, matrix
// variables unsubstituted) so that validate can report them precisely.
// PrintCase renders a model as case text; parsing that text gives an equal
// model (operator== ignores locations).
#ifndef SOCKSPEC_HARNESS_LANG_CASE_H_
#define SOCKSPEC_HARNESS_LANG_CASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/plan.h"
#include "harness/plan/quote.h"

namespace sockspec {

// One value as written: an argument, a result, a matrix value.
struct Expr {
  enum class Kind {
    kInt,       // 10; `value`
    kRange,     // 1..4096; `value`..`value2`, or with arithmetic ends
                //   (1..$n) `items` = {lo, hi}
    kString,    // "hel\n"; `text` holds the decoded bytes
    kName,      // AF_UNIX, a, m1, any, unnamed; `text`
    kVar,       // $TYPE; `text` is "TYPE"
    kIndex,     // c[] (`empty_index`), c[2]; `text` is "c", `value` the index
    kSlice,     // m1[0:10], m1[10:]; `value`, `value2` (`open_end`), or
                //   with arithmetic ends (m1[0:$n]) `items` = {begin[, end]}
    kApply,     // path("srv"), rights(f, g); `text` the function, `items`
    kKeyValue,  // rights=2, pid=1, g=f; `text` the key, `items[0]` the value
    kConcat,    // m1 + m2[0:5]; `items`
    kFlags,     // SOCK_STREAM|SOCK_NONBLOCK; `items`
    kArith,     // $n / 2 + 1: `text` "+", "-", "*", "/" with `items` {lhs,
                //   rhs}, or "()" with `items` {inner} (parentheses)
    kBound,     // a one-sided range result `>= $n`: `text` ">=", ">", "<=",
                //   "<"; `items` {value}
  };
  Kind kind = Kind::kInt;
  Location loc;
  std::string text;
  int64_t value = 0;
  int64_t value2 = 0;
  bool empty_index = false;
  bool open_end = false;
  std::vector<Expr> items;

  bool operator==(const Expr& o) const;
  bool operator!=(const Expr& o) const { return !(*this == o); }
};

// `flags MSG_TRUNC`, `signal SIGPIPE`, `from path("x")`, `rights(g, h)`,
// `cred(A)` after a result.
struct Attribute {
  std::string key;  // "flags", "signal", "from", "rights", "cred"
  Location loc;
  Expr value;  // for rights/cred: the whole kApply expression
  bool operator==(const Attribute& o) const;
};

// One `or` alternative: the values (`5 "hel"`, `a, b`, `EAGAIN`) and the
// attributes that follow them.
struct Alternative {
  Location loc;
  std::vector<Expr> values;
  std::vector<Attribute> attrs;
  bool operator==(const Alternative& o) const;
};

struct NameRef {
  std::string name;
  Location loc;
  bool operator==(const NameRef& o) const { return name == o.name; }
};

// `   on freebsd, darwin = 0  because "..."` under a step.
struct PlatformLine {
  Location loc;
  std::vector<NameRef> platforms;
  // `on linux < 6.5 = ...`: the line holds only on the kernel versions the
  // condition admits; both "" without one.
  std::string version_op;  // "<", "<=", ">", ">="
  std::string version;     // "6.5", as written
  Location version_loc;
  bool blocks = false;
  std::vector<Alternative> results;
  std::string because;
  Location because_loc;
  bool operator==(const PlatformLine& o) const;
};

// `requires ipv6`, `requires root`, `requires CAP_NET_ADMIN`,
// `requires nofile 4200`, `requires kernel >= 5.4`, each optionally followed
// by `when NAME=value, ...` (the matrix rows it applies to). At the top of
// a case it applies to every step; indented under a step, to that step.
struct RequireDecl {
  Location loc;  // the `requires` keyword
  NameRef what;  // "ipv6", "root", "nofile", "kernel", "CAP_NET_ADMIN"
  Expr arg;      // nofile: kInt; kernel: kName holding the version ("5.4")
  std::string op;  // kernel: ">=", ...
  Location op_loc;
  std::vector<std::pair<NameRef, Expr>> when;
  bool operator==(const RequireDecl& o) const;
};

struct Step {
  enum class Kind { kCall, kWakes, kBlocked, kFork };
  Kind kind = Kind::kCall;
  Location loc;                 // the step's first token
  std::optional<NameRef> peer;  // absent: a setup step
  std::optional<Expr> repeat;   // kInt or kVar
  NameRef call;                 // kCall: "read"
  Location rparen;              // kCall: the closing parenthesis
  std::vector<Expr> args;
  bool blocks = false;
  Location blocks_loc;
  std::vector<Alternative> results;  // kCall (unless blocks), kWakes
  // `= ?`: the result is not yet known (results stay empty); where the `?`
  // is, for warnings and for `sockspec record` to write the answer there.
  std::optional<Location> placeholder;
  NameRef new_peer;                  // kFork
  std::vector<PlatformLine> platforms;
  std::vector<RequireDecl> requirements;  // indented `requires` lines
  // `when TYPE=SOCK_STREAM, KIND=inet4: B: ...`: the matrix rows the step
  // belongs to (pairs naming one variable are alternatives, different
  // variables must all hold); empty: every row.
  std::vector<std::pair<NameRef, Expr>> when;
  bool operator==(const Step& o) const;
};

struct MatrixDecl {
  Location loc;
  bool tuple = false;  // `matrix (A, B) = (1, 2), ...`
  std::vector<NameRef> names;
  std::vector<std::vector<Expr>> rows;  // one value per name in each row
  bool operator==(const MatrixDecl& o) const;
};

struct ExcludeDecl {
  Location loc;
  std::vector<std::pair<NameRef, Expr>> matches;
  bool operator==(const ExcludeDecl& o) const;
};

struct PayloadDecl {
  Location loc;
  NameRef name;
  Expr value;  // kInt size or kString content
  bool operator==(const PayloadDecl& o) const;
};

struct PeerStmt {
  Location loc;
  NameRef name;
  std::vector<Expr> holds;  // kName or kIndex
  bool operator==(const PeerStmt& o) const;
};

// Header statements are kept per kind (repeats included, for validate to
// reject); steps and peers keep file order.
struct Case {
  std::string path;
  std::vector<std::pair<Location, std::string>> titles;
  std::vector<NameRef> covers;
  Location covers_loc;
  bool has_covers = false;
  std::vector<std::pair<Location, std::string>> sources;
  std::vector<MatrixDecl> matrices;
  std::vector<ExcludeDecl> excludes;
  std::vector<PayloadDecl> payloads;
  std::vector<std::pair<Location, int64_t>> timeouts;
  std::vector<PeerStmt> peers;
  std::vector<RequireDecl> requirements;  // header `requires` lines
  std::vector<Step> steps;
  bool operator==(const Case& o) const;
};

// Case text that parses back to an equal Case. Strings are re-escaped.
std::string PrintCase(const Case& c);
std::string PrintExpr(const Expr& e);
// "requires kernel >= 5.4 when KIND=inet6" (no indentation, no newline).
std::string PrintRequire(const RequireDecl& r);
// "read(b, 10)": a step's call as written.
std::string PrintCall(const std::string& call, const std::vector<Expr>& args);
std::string PrintAlternatives(const std::vector<Alternative>& alts);
// PrintCall for reports: runs of one item inside f(...) folded,
// "sendmsg(a, \"x\", 0, rights(x × 253, y, z))". Does not parse back.
std::string PrintCallFolded(const std::string& call,
                            const std::vector<Expr>& args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_CASE_H_
