#include "harness/result/outcome.h"

#include "absl/strings/str_cat.h"

namespace sockspec {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "PASS";
    case Verdict::kFail: return "FAIL";
    case Verdict::kError: return "ERROR";
    case Verdict::kSkip: return "SKIP";
  }
  return "?";
}

std::string DisplayName(const CaseOutcome& o) {
  if (o.instance.empty()) return o.path;
  return absl::StrCat(o.path, " [", o.instance, "]");
}

std::string Message(const CaseOutcome& o) {
  if (o.failure) return FailureText(*o.failure);
  return o.verdict == Verdict::kSkip ? o.skip_reason : "";
}

Failure TextFailure(FailureKind kind, std::string text) {
  Failure f;
  f.kind = kind;
  f.detail = std::move(text);
  return f;
}

}  // namespace sockspec
