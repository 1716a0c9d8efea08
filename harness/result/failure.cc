#include "harness/result/failure.h"

#include "absl/strings/str_cat.h"

namespace sockspec {

const char* FailureKindName(FailureKind k) {
  switch (k) {
    case FailureKind::kMismatch: return "mismatch";
    case FailureKind::kHang: return "hang";
    case FailureKind::kDeadline: return "deadline";
    case FailureKind::kPeerDied: return "peer-died";
    case FailureKind::kHarnessError: return "harness-error";
    case FailureKind::kCaseError: return "case-error";
    case FailureKind::kDisagreement: return "disagreement";
  }
  return "?";
}

bool ParseFailureKind(const std::string& name, FailureKind* out) {
  for (FailureKind k :
       {FailureKind::kMismatch, FailureKind::kHang, FailureKind::kDeadline,
        FailureKind::kPeerDied, FailureKind::kHarnessError,
        FailureKind::kCaseError, FailureKind::kDisagreement}) {
    if (name == FailureKindName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

std::string StepName(const Location& loc, const std::string& peer,
                     const std::string& call) {
  return absl::StrCat(loc.path, ":", loc.line, ":", loc.col, ": ",
                      peer.empty() ? "" : absl::StrCat(peer, ": "), call);
}

namespace {

std::string Trace(const Failure& f) {
  std::string out = "trace:\n";
  for (const TraceStep& s : f.trace) {
    absl::StrAppend(&out, "  ", StepName(s.loc, s.peer, s.call), " -> ",
                    s.observed, s.ok ? "" : "  (mismatch)", "\n");
  }
  return out;
}

}  // namespace

std::string FailureText(const Failure& f) {
  const std::string step = StepName(f.loc, f.peer, f.call);
  switch (f.kind) {
    case FailureKind::kMismatch:
      return absl::StrCat(step, ": expected ", f.expected, ", got ",
                          f.observed, "\n", Trace(f));
    case FailureKind::kHang:
    case FailureKind::kDeadline:
    case FailureKind::kPeerDied:
      return absl::StrCat(step, ": ", f.detail, "\n", Trace(f));
    case FailureKind::kHarnessError: {
      std::string out = absl::StrCat(
          "harness error: ", f.loc.line > 0 ? absl::StrCat(step, ": ") : "",
          f.detail, "\n");
      for (const std::string& e : f.more_errors) {
        absl::StrAppend(&out, "harness error: ", e, "\n");
      }
      return out;
    }
    case FailureKind::kCaseError:
    case FailureKind::kDisagreement:
      return f.detail;
  }
  return f.detail;
}

std::string FailureHeadline(const Failure& f) {
  std::string text = FailureText(f);
  return text.substr(0, text.find('\n'));
}

}  // namespace sockspec
