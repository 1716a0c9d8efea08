// Lowering of what signals, limits and namespaces add to the language: the
// `signal` attribute (names, `none`, several with '|') and the value rules
// of sigaction, kill, alarm and setrlimit that the call table cannot state.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

constexpr int64_t kMaxAlarmSeconds = 10;
constexpr int64_t kMaxNofileLimit = 1 << 20;

}  // namespace

bool RowLowering::LowerSignalAttribute(const Attribute& a, Outcome* out) {
  // `signal none` states outright that no signal arrives (the default when
  // no `signal` is written); a matrix can give it: `matrix SIG = SIGPIPE, none`.
  if (a.value.kind == Expr::Kind::kName && a.value.text == "none") {
    out->signals.clear();
    return true;
  }
  std::vector<const Expr*> items;
  if (a.value.kind == Expr::Kind::kFlags) {
    for (const Expr& e : a.value.items) items.push_back(&e);
  } else {
    items.push_back(&a.value);
  }
  for (const Expr* e : items) {
    if (e->kind == Expr::Kind::kName && e->text == "none") {
      Error(e->loc, "'none' stands alone: 'signal none' means no signal");
      return false;
    }
    if (e->kind != Expr::Kind::kName && e->kind != Expr::Kind::kInt) {
      Error(e->loc, absl::StrCat("'signal' takes a signal name (SIGPIPE, "
                                 "SIGUSR1, ...) or 'none', found '",
                                 PrintExpr(*e), "'"));
      return false;
    }
    int64_t v;
    if (!LowerSymbols(*e, {"signal", ArgKind::kSymbols, {SymbolKind::kSignal}},
                      &v)) {
      return false;
    }
    out->signals.push_back(static_cast<int>(v));
  }
  return true;
}

bool RowLowering::CheckSignalCallArgs(const CallSpec& spec,
                                      const std::vector<Expr>& args,
                                      const Op& op) {
  // Not a switch over Call: only four calls have such rules.
  if (spec.call == Call::kSigaction && op.ints.size() > 1) {
    const int64_t action = op.ints[1];
    const int64_t dispositions = kSigDispositionDefault | kSigDispositionIgnore;
    if ((action & dispositions) != 0 && action != kSigDispositionDefault &&
        action != kSigDispositionIgnore) {
      Error(args[1].loc,
            "SIG_IGN and SIG_DFL stand alone: SA_ flags belong to the "
            "recording handler (sigaction(SIGUSR1, SA_RESTART))");
      return false;
    }
  }
  if (spec.call == Call::kKill && op.ints.size() > 1 &&
      (op.ints[1] == SIGKILL || op.ints[1] == SIGSTOP)) {
    // The harness runs every later step of that peer and reaps it itself.
    Error(args[1].loc, absl::StrCat("'kill' cannot send ",
                                    op.ints[1] == SIGKILL ? "SIGKILL" : "SIGSTOP",
                                    ": the peer must live to take its steps"));
    return false;
  }
  if (spec.call == Call::kAlarm && !op.ints.empty() &&
      (op.ints[0] < 0 || op.ints[0] > kMaxAlarmSeconds)) {
    Error(args[0].loc, absl::StrCat("alarm's seconds must be between 0 and ",
                                    kMaxAlarmSeconds));
    return false;
  }
  if (spec.call == Call::kSetrlimit && op.ints.size() > 1 &&
      (op.ints[1] < 0 || op.ints[1] > kMaxNofileLimit)) {
    Error(args[1].loc,
          absl::StrCat("a limit must be between 0 and ", kMaxNofileLimit));
    return false;
  }
  return true;
}

}  // namespace internal
}  // namespace sockspec
