// Syntax: case-file tokens to a Case model. Checks only the shape of each
// line (what may follow what); names, arities and meanings are validate's.
// A bad line is reported once and skipped, so one file gives every syntax
// error at once.
//
//   DiagnosticSink sink;
//   Case c = ParseCase(Source("x.case", text), &sink);
#ifndef SOCKSPEC_HARNESS_LANG_PARSER_H_
#define SOCKSPEC_HARNESS_LANG_PARSER_H_

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/source.h"

namespace sockspec {

// Expressions nest at most this deep (`rights(g=f)` is 2).
inline constexpr int kMaxExprDepth = 16;

// The model of `source`. Syntax errors go to `sink`; the lines they are on
// are left out of the model.
Case ParseCase(const Source& source, DiagnosticSink* sink);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_PARSER_H_
