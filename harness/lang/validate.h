// The semantic pass: checks a parsed Case against the language reference and
// lowers each matrix row into a Plan for one platform. Names are resolved
// (symbols, payloads, fds, peers), call signatures and result kinds checked,
// fds tracked per peer (close, fork, accept, dup, received rights), and
// blocks/wakes paired.
//
//   DiagnosticSink sink;
//   std::vector<Plan> plans = ValidateCase(parsed, "linux", &sink);
//   // sink.empty(): one plan per matrix row, in row order.
#ifndef SOCKSPEC_HARNESS_LANG_VALIDATE_H_
#define SOCKSPEC_HARNESS_LANG_VALIDATE_H_

#include <string>
#include <vector>

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/plan/plan.h"

namespace sockspec {

inline constexpr int64_t kMaxRepeat = 10000;
// All plans of one case together hold at most this many operations.
inline constexpr size_t kMaxPlanOps = 200000;

// The platforms a case may record answers for; the first is the default.
const std::vector<std::string>& KnownPlatforms();

// One plan per matrix row of `c` (excluded rows left out), with Op::expect
// holding `platform`'s answers. On any error the diagnostics go to `sink`
// and the result is empty.
std::vector<Plan> ValidateCase(const Case& c, const std::string& platform,
                               DiagnosticSink* sink);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_VALIDATE_H_
