// `requires` lines: which prerequisites a case may state, their checks, and
// the Requirements a matrix row's plan carries (the runner evaluates them
// where the instance runs; unmet, the instance is skipped).
//
//   requires ipv6 when KIND=inet6      -> only the inet6 row carries it
#ifndef SOCKSPEC_HARNESS_LANG_REQUIRES_H_
#define SOCKSPEC_HARNESS_LANG_REQUIRES_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/matrix.h"
#include "harness/plan/plan.h"

namespace sockspec {

// The capability named `name` ("CAP_NET_ADMIN" -> 12), or nullopt.
std::optional<int> CapabilityNumber(const std::string& name);

// Reports every malformed `requires` line of `c` (header and step lines):
// an unknown requirement or capability, nofile out of 1..1048576, a
// malformed kernel version, a `when` naming an unknown matrix variable or a
// value the variable never takes.
void CheckRequires(const Case& c, DiagnosticSink* sink);

// The requirements of `c` whose `when` matches `row`, header lines first,
// then step lines in step order. Assumes CheckRequires found nothing.
std::vector<Requirement> LowerRequires(const Case& c, const MatrixRow& row);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_REQUIRES_H_
