// Reads back the JSON report (report.h's JsonReport) that the sockspec run
// inside the gVisor sandbox prints, so the host can compare it with its own.
//
//   absl::StatusOr<std::vector<CaseOutcome>> o = ParseJsonOutcomes(stdout_text);
#ifndef SOCKSPEC_HARNESS_GVISOR_JSON_H_
#define SOCKSPEC_HARNESS_GVISOR_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/report.h"

namespace sockspec {

// The "results" of a JsonReport document, in order. InvalidArgument naming
// the byte offset when the text is not such a document.
absl::StatusOr<std::vector<CaseOutcome>> ParseJsonOutcomes(
    const std::string& text);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GVISOR_JSON_H_
