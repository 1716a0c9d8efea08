// Row-dependent steps: `when NAME=value, ...: STEP` makes a step belong to
// the matrix rows that match (pairs naming one variable are alternatives,
// pairs naming different variables must all hold).
//
//   matrix TYPE = SOCK_STREAM, SOCK_DGRAM
//   when TYPE=SOCK_STREAM: B: read(b, 1) = 0    # only the stream row
#ifndef SOCKSPEC_HARNESS_LANG_STEP_WHEN_H_
#define SOCKSPEC_HARNESS_LANG_STEP_WHEN_H_

#include <vector>

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/matrix.h"

namespace sockspec {

// Whether `step` belongs to `row`: true for a step without `when`.
bool StepAppliesToRow(const Step& step, const MatrixRow& row);

// Reports each `when` that names an unknown matrix variable, a value the
// variable never takes, or that matches none of `rows` (the step would
// never run).
void CheckStepConditions(const Case& c, const std::vector<MatrixRow>& rows,
                         DiagnosticSink* sink);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_STEP_WHEN_H_
