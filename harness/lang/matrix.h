// Matrix expansion: `matrix` lines multiply into rows, `exclude` drops rows,
// and `$NAME` in a step is replaced by the row's value.
//
//   matrix TYPE = SOCK_DGRAM, SOCK_SEQPACKET
//   matrix KIND = socketpair, abstract
//   exclude TYPE=SOCK_SEQPACKET, KIND=abstract
//   -> rows SOCK_DGRAM/socketpair, SOCK_DGRAM/abstract,
//   SOCK_SEQPACKET/socketpair
#ifndef SOCKSPEC_HARNESS_LANG_MATRIX_H_
#define SOCKSPEC_HARNESS_LANG_MATRIX_H_

#include <string>
#include <utility>
#include <vector>

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"

namespace sockspec {

inline constexpr size_t kMaxMatrixRows = 1024;

struct MatrixRow {
  std::vector<std::pair<std::string, Expr>> values;  // in declaration order
  const Expr* Find(const std::string& name) const;
};

// The rows of `c`'s matrix, in order (the last `matrix` line varies fastest);
// one empty row when there is no matrix. Errors (duplicate or malformed
// variables, tuple arity, `$` inside a value, unknown exclude variables, too
// many rows) go to `sink`; the result is then empty.
std::vector<MatrixRow> ExpandMatrix(const Case& c, DiagnosticSink* sink);

// Every matrix variable's name and its values as text, for listings.
std::vector<std::pair<std::string, std::vector<std::string>>> MatrixDims(
    const Case& c);

// Replaces each `$NAME` in `e` by the row's value. An unknown variable is
// reported (with a "did you mean") and makes the result false.
bool Substitute(Expr* e, const MatrixRow& row, DiagnosticSink* sink);

// Whether `$name` names a captured value (lower case: `$sndbuf`, bound by a
// step's result at run time) rather than a matrix variable (`$TYPE`).
// Substitute leaves captured values in place.
bool IsCaptureName(const std::string& name);

// Whether `e` is a number known only at run time or written as arithmetic:
// `$n`, `$n / 2`, `2 * 4096`, `>= $n`, `1..$n`.
bool IsRunTimeNumber(const Expr& e);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_MATRIX_H_
