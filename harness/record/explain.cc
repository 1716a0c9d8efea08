#include "harness/record/explain.h"

#include <algorithm>
#include <regex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harness/lang/frontend.h"
#include "harness/lang/parser.h"
#include "harness/lang/source.h"
#include "harness/record/notation.h"

namespace sockspec {
namespace {

constexpr size_t kColumn = 34;  // each peer's column; text may run past it

// "line  TEXT" with TEXT in column `col` (0: the harness).
std::string Row(const std::string& line, size_t col, const std::string& text) {
  std::string out = absl::StrCat("  ", line);
  out.resize(8, ' ');
  out += std::string(col * kColumn, ' ');
  return absl::StrCat(out, text, "\n");
}

// What the call gave, as the case would write it; the run's own words when
// the notation cannot say it.
std::string Gave(const StepRecord& rec, const Notation& names) {
  if (rec.observation && rec.call != nullptr) {
    absl::StatusOr<std::string> a = AnswerNotation(*rec.call, *rec.observation, names);
    if (a.ok()) return *a;
    if (rec.observation->ret >= 0 && rec.observation->leaked.empty() &&
        rec.observation->harness_error.empty()) {
      return "ok";  // a new fd: the case names it
    }
  }
  return rec.observed;
}

}  // namespace

std::string ExplainRun(const Plan& plan, const InstanceResult& result,
                       const std::vector<std::pair<std::string, std::string>>& payloads) {
  Notation names;
  names.payloads = payloads;
  for (const PeerDecl& p : plan.peers) names.peer_names.push_back(p.name);
  names.fd_names = plan.fd_names;
  names.context = &result.context;

  const std::string instance = plan.InstanceName();
  std::string out = absl::StrCat(plan.path, instance.empty() ? "" : " [" + instance + "]",
                                 ": ", plan.title, "\n");
  std::string header = "  line  harness";
  for (const PeerDecl& p : plan.peers) {
    header.resize(std::max(header.size(), 8 + (&p - plan.peers.data() + 1) * kColumn), ' ');
    header += p.name;
  }
  absl::StrAppend(&out, header, "\n");

  for (size_t k = 0; k < result.trace.size(); ++k) {
    const StepRecord& rec = result.trace[k];
    const Op& op = *rec.op;
    const size_t col = rec.peer < 0 ? 0 : static_cast<size_t>(rec.peer) + 1;
    std::string text;
    if (op.call == Call::kWakes) {
      // Who woke it: the last step another peer (or the harness) took.
      std::string waker;
      for (size_t j = k; j-- > 0;) {
        const StepRecord& before = result.trace[j];
        if (before.peer == rec.peer) continue;
        const std::string who =
            before.peer < 0 ? "harness" : plan.peers[before.peer].name;
        waker = absl::StrCat(" (woken by ", who, ": ", before.op->text, ")");
        break;
      }
      const std::string call = rec.call != nullptr ? rec.call->text : op.text;
      text = absl::StrCat(call, " woke", waker, " -> ", Gave(rec, names));
    } else if (op.call == Call::kBlocked) {
      text = absl::StrCat(op.text, ": still asleep");
    } else if (op.call == Call::kFork) {
      text = absl::StrCat("fork ", plan.peers[op.new_peer].name);
    } else {
      text = rec.observation ? absl::StrCat(op.text, " -> ", Gave(rec, names))
                             : absl::StrCat(op.text, " ... asleep in the kernel");
    }
    if (op.expect.placeholder) text += "   (= ? in the file)";
    if (!rec.ok) text += "   <-- NOT AS EXPECTED";
    out += Row(absl::StrCat(op.loc.line), col, text);
  }
  if (result.failure) {
    absl::StrAppend(&out, "  ", FailureHeadline(*result.failure), "\n");
  } else {
    absl::StrAppend(&out, "  every step as the file says\n");
  }
  return out;
}

absl::StatusOr<std::pair<std::string, bool>> ExplainFile(const std::string& path,
                                                         const std::string& filter,
                                                         const RecordOptions& options) {
  absl::StatusOr<LoadedCase> loaded = LoadCaseFile(path, options.platform);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->errors.empty()) return absl::InvalidArgumentError(FormatErrors(*loaded));
  DiagnosticSink sink;
  const Case parsed = ParseCase(Source(path, loaded->text), &sink);
  std::regex re(filter.empty() ? std::string(".*") : filter);
  std::string out;
  bool all_passed = true;
  for (const Plan& plan : loaded->plans) {
    const std::string instance = plan.InstanceName();
    const std::string display =
        instance.empty() ? path : absl::StrCat(path, " [", instance, "]");
    if (!filter.empty() && !std::regex_search(display, re)) continue;
    InstanceResult r = RunPlan(plan, options.exec);
    if (r.verdict != InstanceResult::Verdict::kPass) all_passed = false;
    if (!out.empty()) out += "\n";
    out += ExplainRun(plan, r, CasePayloads(parsed, plan));
  }
  return std::make_pair(out, all_passed);
}

}  // namespace sockspec
