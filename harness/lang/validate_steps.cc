// The steps half of the lowering: each case step (call, repeat, blocks,
// wakes, blocked, fork) and its platform lines to plan Ops.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/lang/matrix.h"
#include "harness/os/kernel_version.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

// The kernel the plan is lowered for: the running one, or
// $SOCKSPEC_KERNEL_VERSION ("6.1") to judge as another (tests).
absl::StatusOr<KernelVersion> LoweringKernelVersion() {
  static const absl::StatusOr<KernelVersion> version =
      []() -> absl::StatusOr<KernelVersion> {
    const char* env = getenv("SOCKSPEC_KERNEL_VERSION");
    if (env != nullptr && *env) return ParseKernelVersion(env);
    return RunningKernelVersion();
  }();
  return version;
}

// Whether `on linux OP VERSION` admits the kernel lowered for; an error
// names a version that does not parse.
absl::StatusOr<bool> KernelConditionHolds(const PlatformLine& line) {
  absl::StatusOr<KernelVersion> want = ParseKernelVersion(line.version);
  if (!want.ok()) return want.status();
  absl::StatusOr<KernelVersion> have = LoweringKernelVersion();
  if (!have.ok()) return have.status();
  if (line.version_op == "<") return *have < *want;
  if (line.version_op == "<=") return *have <= *want;
  if (line.version_op == ">") return *have > *want;
  return *have >= *want;
}

// `c[]` in a repeated step's text becomes `c[i]`.
void FillIndex(Expr* e, int iteration) {
  if (e->kind == Expr::Kind::kIndex && e->empty_index && iteration >= 0) {
    e->empty_index = false;
    e->value = iteration;
  }
  for (Expr& i : e->items) FillIndex(&i, iteration);
}

}  // namespace

void RowLowering::LowerStep(const Step& step) {
  if (!step.peer) {
    if (peers_started_) {
      Error(step.loc,
            "setup step after the first peer step: setup steps run before "
            "any peer exists");
      return;
    }
    if (step.blocks) {
      Error(step.blocks_loc,
            "a setup step cannot block: the harness runs it before any peer "
            "exists");
      return;
    }
    size_t before = errors_;
    LowerCallStep(step, -1);
    if (errors_ != before) RecoverBinds(step, -1);
    return;
  }
  if (!peers_started_) StartPeers();
  int p = PeerIndex(*step.peer, true);
  if (p < 0) return;
  if (pending_[p] && step.kind != Step::Kind::kWakes &&
      step.kind != Step::Kind::kBlocked) {
    Error(step.peer->loc,
          absl::StrCat("peer ", step.peer->name, " is blocked in '",
                       pending_[p]->text, "' (", LineCol(pending_[p]->loc),
                       "); only '", step.peer->name, ": wakes' or '",
                       step.peer->name,
                       ": blocked' may come before it "
                       "completes"));
    return;
  }
  if ((step.kind == Step::Kind::kBlocked || step.kind == Step::Kind::kFork) &&
      !step.platforms.empty()) {
    Error(step.platforms[0].loc,
          absl::StrCat("an 'on' line cannot follow '", step.call.name, "'"));
    return;
  }
  size_t before = errors_;
  switch (step.kind) {
    case Step::Kind::kCall:
      LowerCallStep(step, p);
      if (errors_ != before) RecoverBinds(step, p);
      return;
    case Step::Kind::kWakes:
      LowerWakes(step, p);
      if (errors_ != before) RecoverBinds(step, p);
      return;
    case Step::Kind::kFork:
      LowerFork(step, p);
      return;
    case Step::Kind::kBlocked: {
      if (!pending_[p]) {
        Error(step.call.loc,
              absl::StrCat("'blocked' without a blocked call: peer ",
                           step.peer->name, " has no call pending"));
        return;
      }
      Op op;
      op.loc = step.loc;
      op.peer = p;
      op.call = Call::kBlocked;
      op.text = absl::StrCat("blocked in ", pending_[p]->text);
      Outcome o;
      o.kind = Outcome::Kind::kBlocks;
      o.loc = step.call.loc;
      op.expect.any_of.push_back(o);
      op.expect.loc = step.call.loc;
      op.platforms.emplace_back(KnownPlatforms()[0], op.expect);
      plan_.ops.push_back(std::move(op));
      ++*total_ops_;
      return;
    }
  }
}

void RowLowering::RecoverBinds(const Step& step, int holder) {
  // The names a failed step would have bound, bound anyway, so that one
  // mistake does not also report every later use of them.
  for (const Alternative& alt : step.results) {
    for (const Expr& v : alt.values) {
      bool name = v.kind == Expr::Kind::kName ||
                  (v.kind == Expr::Kind::kIndex && !v.empty_index);
      if (!name || v.text.empty() || v.text[0] < 'a' || v.text[0] > 'z' ||
          v.text == "any" || payloads_.count(v.text)) {
        continue;
      }
      std::string n = v.kind == Expr::Kind::kName
                          ? v.text
                          : absl::StrCat(v.text, "[", v.value, "]");
      int slot = SlotOf(n);
      if (slot >= 0 && held_[holder + 1].count(slot)) continue;
      if (slot < 0) {
        slot = static_cast<int>(plan_.fd_names.size());
        plan_.fd_names.push_back(n);
        slots_[n] = slot;
      }
      held_[holder + 1].insert(slot);
    }
  }
}

void RowLowering::LowerWakes(const Step& step, int p) {
  if (!pending_[p]) {
    Error(step.call.loc, absl::StrCat("'wakes' without a blocked call: peer ",
                                      step.peer->name, " has no call pending"));
    return;
  }
  Op op;
  op.loc = step.loc;
  op.peer = p;
  op.call = Call::kWakes;
  op.text = absl::StrCat("wakes from ", pending_[p]->text);
  const CallSpec* spec = pending_[p]->spec;
  size_t call_index = pending_[p]->op_index;
  pending_[p].reset();
  if (!Expectations(step, *spec, p, -1, /*blocking=*/false, &op)) return;
  // The executor binds new fds when the call itself completes, so the
  // blocking op carries the names `wakes` gives.
  plan_.ops[call_index].results = op.results;
  plan_.ops.push_back(std::move(op));
  ++*total_ops_;
}

void RowLowering::LowerFork(const Step& step, int p) {
  const NameRef& n = step.new_peer;
  if (!IsPeerName(n.name)) {
    Error(n.loc, absl::StrCat("peer names are Capitalised: '", n.name, "'"));
    return;
  }
  if (peers_.count(n.name)) {
    Error(n.loc, absl::StrCat("peer ", n.name, " already exists"));
    return;
  }
  int index = static_cast<int>(plan_.peers.size());
  peers_[n.name] = index;
  PeerDecl decl{n.name, n.loc, {}, p};
  decl.holds.assign(held_[p + 1].begin(), held_[p + 1].end());
  plan_.peers.push_back(std::move(decl));
  held_.push_back(held_[p + 1]);
  closed_.emplace_back();
  pending_.emplace_back();
  Op op;
  op.loc = step.loc;
  op.peer = p;
  op.call = Call::kFork;
  op.new_peer = index;
  op.text = absl::StrCat("fork ", n.name);
  Outcome o;
  o.loc = step.call.loc;
  op.expect.any_of.push_back(o);
  op.expect.loc = step.call.loc;
  op.platforms.emplace_back(KnownPlatforms()[0], op.expect);
  plan_.ops.push_back(std::move(op));
  ++*total_ops_;
}

bool RowLowering::SubstituteAlternative(Alternative* alt) {
  bool ok = true;
  for (Expr& v : alt->values) ok = ok && Substitute(&v, row_, sink_);
  for (Attribute& a : alt->attrs) ok = ok && Substitute(&a.value, row_, sink_);
  if (!ok) ++errors_;
  return ok;
}

bool RowLowering::ResolveRepeat(const Step& step, int64_t* count) {
  *count = 1;
  if (!step.repeat) return true;
  Expr e = *step.repeat;
  if (!Substitute(&e, row_, sink_)) {
    ++errors_;
    return false;
  }
  if (e.kind != Expr::Kind::kInt) {
    Error(e.loc,
          absl::StrCat("expected a repeat count, found '", PrintExpr(e), "'"));
    return false;
  }
  if (e.value < 1 || e.value > kMaxRepeat) {
    Error(e.loc, absl::StrCat("repeat count must be between 1 and ", kMaxRepeat,
                              ", got ", e.value));
    return false;
  }
  *count = e.value;
  return true;
}

void RowLowering::LowerCallStep(const Step& step, int holder) {
  const CallSpec* spec = FindCall(step.call.name);
  if (spec == nullptr) {
    Error(step.call.loc,
          absl::StrCat("unknown call '", step.call.name, "'",
                       DidYouMean(ClosestName(step.call.name, CallNames()))));
    return;
  }
  if (holder < 0 && spec->peer_only) {
    Error(step.call.loc, absl::StrCat("'", spec->name,
                                      "' runs in a peer, not in the harness"));
    return;
  }
  if (step.blocks && step.repeat) {
    Error(step.blocks_loc, "a repeated step cannot block");
    return;
  }
  int64_t count;
  if (!ResolveRepeat(step, &count)) return;
  std::vector<Expr> args = step.args;
  for (Expr& a : args) {
    if (!Substitute(&a, row_, sink_)) {
      ++errors_;
      return;
    }
  }
  for (int64_t i = 0; i < count; ++i) {
    if (*total_ops_ >= kMaxPlanOps) {
      Error(step.loc, absl::StrCat("the case expands to more than ", kMaxPlanOps,
                                   " operations"));
      return;
    }
    int iteration = step.repeat ? static_cast<int>(i) : -1;
    Op op;
    op.loc = step.loc;
    op.peer = holder;
    op.call = spec->call;
    if (!LowerArgs(*spec, args, step, holder, iteration, &op)) return;
    if (!CheckSignalCallArgs(*spec, args, op)) return;
    std::vector<Expr> shown = args;
    for (Expr& e : shown) FillIndex(&e, iteration);
    op.text = PrintCallFolded(step.call.name, shown);
    // The result kind can depend on the arguments (fcntl F_DUPFD: an fd).
    CallSpec used = *spec;
    used.result = ResultOf(*spec, op.ints);
    if (!Expectations(step, used, holder, iteration, step.blocks, &op)) return;
    if (!CheckFdKinds(used, args, op)) return;
    if (step.blocks) {
      pending_[holder] = Pending{spec, step.loc, op.text, plan_.ops.size()};
    }
    if (spec->closes_fd && op.fds.size() == 1) {
      held_[holder + 1].erase(op.fds[0]);
      closed_[holder + 1][op.fds[0]] = step.loc;
    }
    plan_.ops.push_back(std::move(op));
    ++*total_ops_;
  }
}

bool RowLowering::Expectations(const Step& step, const CallSpec& spec,
                               int holder, int iteration, bool blocking,
                               Op* op) {
  current_op_ = op;
  Expected main;
  main.loc = step.loc;
  if (blocking) {
    Outcome o;
    o.kind = Outcome::Kind::kBlocks;
    o.loc = step.blocks_loc;
    main.any_of.push_back(o);
    main.text = "blocks";
  } else if (step.placeholder) {
    main.placeholder = true;
    main.text = "?";
  } else {
    Binds binds;
    bool have_binds = false;
    if (!BindCapture(step, spec, op)) {
      // Reported; the name is bound anyway (one mistake, one error).
      for (const Alternative& alt : step.results) {
        for (const Expr& v : alt.values) {
          if (IsCaptureVar(v) && !captures_.count(v.text)) DeclareCapture(v, nullptr);
        }
      }
      return false;
    }
    std::vector<Alternative> shown;  // as written, matrix values substituted
    for (const Alternative& written : step.results) {
      Alternative alt = written;
      if (!SubstituteAlternative(&alt)) return false;
      shown.push_back(alt);
      main.text = PrintAlternatives(shown);
      Outcome o;
      Binds b;
      if (!LowerOutcome(alt, spec, holder, iteration, &b, &o)) return false;
      if (!b.empty() && !have_binds) {
        binds = b;
        have_binds = true;
      }
      main.any_of.push_back(std::move(o));
    }
    for (const auto& b : binds) {
      int slot;
      if (!Bind(b.first, b.second, holder, &slot)) return false;
      op->results.push_back(slot);
    }
  }
  op->platforms.emplace_back(KnownPlatforms()[0], main);
  op->expect = main;
  std::set<std::string> seen;
  bool version_answer_taken = false;  // the first condition that holds wins
  for (const PlatformLine& line : step.platforms) {
    Expected e;
    e.loc = line.loc;
    e.source = line.because;
    if (line.because.empty()) {
      Error(line.because_loc,
            "'because' needs a source: where is this documented?");
      return false;
    }
    if (line.blocks) {
      Outcome o;
      o.kind = Outcome::Kind::kBlocks;
      o.loc = line.loc;
      e.any_of.push_back(o);
    }
    if (line.blocks) e.text = "blocks";
    std::vector<Alternative> shown;
    for (const Alternative& written : line.results) {
      for (const Expr& v : written.values) {
        if (IsCaptureVar(v) && written.values.size() == 1) {
          Error(v.loc, absl::StrCat("'$", v.text, "' is bound by the main "
                                    "result, not on an 'on' line; to compare "
                                    "with it write '($", v.text, ")'"));
          return false;
        }
      }
      Alternative alt = written;
      if (!SubstituteAlternative(&alt)) return false;
      shown.push_back(alt);
      e.text = PrintAlternatives(shown);
      Outcome o;
      Binds ignored;  // the main line's names are the ones bound
      if (!LowerOutcome(alt, spec, holder, iteration, &ignored, &o))
        return false;
      e.any_of.push_back(std::move(o));
    }
    if (!line.version_op.empty()) {
      // `on linux < 6.5`: Linux's answer on the kernels the condition
      // admits, judged by the version of the kernel lowered for (the inner
      // run in a guest lowers with the guest's own kernel).
      absl::StatusOr<bool> holds = KernelConditionHolds(line);
      if (!holds.ok()) {
        Error(line.version_loc, std::string(holds.status().message()));
        return false;
      }
      if (line.platforms[0].name != KnownPlatforms()[0]) {
        Error(line.platforms[0].loc,
              absl::StrCat("a kernel version condition applies to '",
                           KnownPlatforms()[0], "' only, not '",
                           line.platforms[0].name, "'"));
        return false;
      }
      if (*holds && !version_answer_taken && platform_ == KnownPlatforms()[0]) {
        op->expect = e;
        version_answer_taken = true;
      }
      continue;
    }
    for (const NameRef& n : line.platforms) {
      const auto& known = KnownPlatforms();
      if (n.name == known[0]) {
        Error(n.loc, "the main result is Linux's: 'on linux' is not needed");
        return false;
      }
      if (std::find(known.begin(), known.end(), n.name) == known.end()) {
        Error(n.loc,
              absl::StrCat("unknown platform '", n.name, "'",
                           DidYouMean(ClosestName(n.name, known)),
                           " (known: ", absl::StrJoin(known, ", "), ")"));
        return false;
      }
      if (!seen.insert(n.name).second) {
        Error(n.loc, absl::StrCat("platform '", n.name,
                                  "' already has an answer for this step"));
        return false;
      }
      op->platforms.emplace_back(n.name, e);
      if (n.name == platform_) op->expect = e;
    }
  }
  return true;
}
}  // namespace internal
}  // namespace sockspec
