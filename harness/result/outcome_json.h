// Outcomes and their failure records as JSON (nlohmann-json): what
// `sockspec run --format=json` prints, what the run inside a guest prints
// and the host reads back, and the pieces ComparisonJson reuses. The one
// JSON path of the project: text is dumped with invalid UTF-8 replaced by
// U+FFFD, so every document is valid UTF-8 whatever bytes a case holds.
//
//   std::string text = DumpJson(OutcomesJson(outcomes));
//   absl::StatusOr<std::vector<CaseOutcome>> back = ParseJsonOutcomes(text);
#ifndef SOCKSPEC_HARNESS_RESULT_OUTCOME_JSON_H_
#define SOCKSPEC_HARNESS_RESULT_OUTCOME_JSON_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "harness/result/outcome.h"

namespace sockspec {

// {"kind", "path", "line", "col", "peer", "call", "expected_text",
// "expected", "observed", "detail", "more_errors", "trace": [{"path",
// "line", "col", "peer", "call", "observed", "ok"}], "text": FailureText}.
nlohmann::ordered_json FailureJson(const Failure& f);
// {"path", "line", "col", "peer", "call", "default_platform",
// "default_answer", "platform", "platform_answer", "source", "observed"}.
nlohmann::ordered_json RecordedJson(const RecordedAnswer& a);
// {"path", "instance", "title", "covers", "verdict", "seconds", "message",
// "failure": FailureJson or null, "recorded": [RecordedJson...]}.
nlohmann::ordered_json OutcomeJson(const CaseOutcome& o);

// {"summary": {"pass", "fail", "error", "skip", "seconds"}, "results":
// [OutcomeJson...]}.
nlohmann::ordered_json OutcomesJson(const std::vector<CaseOutcome>& outcomes);

// The document, indented, ending in a newline; invalid UTF-8 in strings
// becomes U+FFFD.
std::string DumpJson(const nlohmann::ordered_json& doc);

// The "results" of an OutcomesJson document, in order, failures and
// recorded answers included. InvalidArgument when the text is not JSON
// (naming the byte offset) or not such a document (naming what is wrong).
absl::StatusOr<std::vector<CaseOutcome>> ParseJsonOutcomes(
    const std::string& text);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RESULT_OUTCOME_JSON_H_
