#include "harness/validate.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/matrix.h"
#include "harness/payload.h"
#include "harness/symbols.h"
#include "harness/validate_internal.h"

namespace sockspec {

const std::vector<std::string>& KnownPlatforms() {
  static const std::vector<std::string>* const kPlatforms =
      new std::vector<std::string>{"linux",  "gvisor", "freebsd",
                                   "darwin", "netbsd", "openbsd"};
  return *kPlatforms;
}

namespace internal {
namespace {

std::string Hint(const std::string& hint, const char* prefix = "") {
  return hint.empty() ? ""
                      : absl::StrCat(" (did you mean '", prefix, hint, "'?)");
}

std::string At(const Location& loc) {
  return absl::StrCat(loc.line, ":", loc.col);
}

bool IsCapitalised(const std::string& s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return true;
  }
  return s.size() <= 3;  // A, B, A2: short all-caps names are peers too
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

RowLowering::RowLowering(const Case& c, const MatrixRow& row,
                         const std::string& platform, DiagnosticSink* sink,
                         size_t* total_ops, int64_t* total_data)
    : c_(c),
      row_(row),
      platform_(platform),
      sink_(sink),
      total_ops_(total_ops),
      total_data_(total_data) {
  for (const Step& s : c_.steps) {
    if (s.kind == Step::Kind::kFork && !declared_at_.count(s.new_peer.name)) {
      declared_at_[s.new_peer.name] = s.new_peer.loc;
    }
  }
}

void RowLowering::Error(const Location& loc, std::string message) {
  ++errors_;
  sink_->Add(loc, std::move(message));
}

std::optional<Plan> RowLowering::Run() {
  plan_.path = c_.path;
  if (!c_.titles.empty()) plan_.title = c_.titles[0].second;
  for (const NameRef& n : c_.covers) plan_.covers.push_back(n.name);
  for (const auto& s : c_.sources) plan_.sources.push_back(s.second);
  for (const auto& v : row_.values) {
    plan_.bindings.emplace_back(v.first, PrintExpr(v.second));
  }
  plan_.platform = platform_;
  if (!c_.timeouts.empty()) {
    plan_.step_timeout_ms = static_cast<int>(c_.timeouts[0].second);
  }
  for (const PayloadDecl& p : c_.payloads) {
    if (payloads_.count(p.name.name)) continue;
    if (p.value.kind == Expr::Kind::kString) {
      payloads_[p.name.name] = static_cast<int64_t>(p.value.text.size());
      payload_text_[p.name.name] = p.value.text;
    } else {
      payloads_[p.name.name] = p.value.value;
    }
  }
  held_.resize(1);
  closed_.resize(1);
  DeclarePeers();
  for (const Step& step : c_.steps) {
    if (sink_->size() >= 50) break;
    LowerStep(step);
  }
  if (!peers_started_) StartPeers();
  for (size_t p = 0; p < pending_.size(); ++p) {
    if (pending_[p]) {
      Error(pending_[p]->loc,
            absl::StrCat("blocked call '", pending_[p]->text, "' of peer ",
                         plan_.peers[p].name, " never wakes: add '",
                         plan_.peers[p].name, ": wakes = RESULT'"));
    }
  }
  if (errors_ > 0) return std::nullopt;
  return std::move(plan_);
}

void RowLowering::DeclarePeers() {
  for (const PeerStmt& p : c_.peers) {
    if (peers_.count(p.name.name)) continue;
    peers_[p.name.name] = static_cast<int>(plan_.peers.size());
    plan_.peers.push_back({p.name.name, p.loc, {}, -1});
    held_.emplace_back();
    closed_.emplace_back();
    pending_.emplace_back();
  }
}

void RowLowering::StartPeers() {
  peers_started_ = true;
  std::set<std::string> done;
  for (const PeerStmt& p : c_.peers) {
    if (!done.insert(p.name.name).second) continue;
    int index = peers_[p.name.name];
    for (const Expr& e : p.holds) {
      std::string name;
      if (!FdName(e, -1, &name)) continue;
      int slot = SlotOf(name);
      if (slot < 0) {
        std::vector<std::string> known;
        for (const auto& s : slots_) known.push_back(s.first);
        Error(e.loc, absl::StrCat("undeclared fd '", name, "'",
                                  Hint(ClosestName(name, known))));
      } else if (!held_[0].count(slot)) {
        Error(e.loc, absl::StrCat("fd '", name,
                                  "' is not held by the harness: it was closed "
                                  "by a setup step"));
      } else {
        held_[index + 1].insert(slot);
        plan_.peers[index].holds.push_back(slot);
      }
    }
  }
  held_[0].clear();
}

std::string RowLowering::HolderName(int holder) const {
  if (holder < 0) return "the harness";
  return absl::StrCat("peer ", plan_.peers[holder].name);
}

int RowLowering::SlotOf(const std::string& name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? -1 : it->second;
}

int RowLowering::PeerIndex(const NameRef& name, bool report) {
  auto it = peers_.find(name.name);
  if (it != peers_.end()) return it->second;
  if (!report) return -1;
  auto fork = declared_at_.find(name.name);
  if (fork != declared_at_.end()) {
    Error(name.loc, absl::StrCat("peer ", name.name,
                                 " does not exist yet: it is forked at ",
                                 At(fork->second)));
    return -1;
  }
  std::vector<std::string> known;
  for (const auto& p : peers_) known.push_back(p.first);
  Error(name.loc, absl::StrCat("undeclared peer '", name.name, "'",
                               Hint(ClosestName(name.name, known))));
  return -1;
}

bool RowLowering::Bind(const std::string& name, const Location& loc, int holder,
                       int* slot) {
  int s = SlotOf(name);
  if (s >= 0 && held_[holder + 1].count(s)) {
    Error(loc, absl::StrCat("fd '", name, "' is already held by ",
                            HolderName(holder)));
    return false;
  }
  if (s < 0) {
    s = static_cast<int>(plan_.fd_names.size());
    plan_.fd_names.push_back(name);
    slots_[name] = s;
  }
  held_[holder + 1].insert(s);
  closed_[holder + 1].erase(s);
  *slot = s;
  return true;
}

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
                       pending_[p]->text, "' (", At(pending_[p]->loc),
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
  if (!IsCapitalised(n.name)) {
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
                       Hint(ClosestName(step.call.name, CallNames()))));
    return;
  }
  if (holder < 0 && spec->call == Call::kRaise) {
    Error(step.call.loc, "'raise' runs in a peer, not in the harness");
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
    if (*total_ops_ >= kMaxOps) {
      Error(step.loc, absl::StrCat("the case expands to more than ", kMaxOps,
                                   " operations"));
      return;
    }
    int iteration = step.repeat ? static_cast<int>(i) : -1;
    Op op;
    op.loc = step.loc;
    op.peer = holder;
    op.call = spec->call;
    if (!LowerArgs(*spec, args, step, holder, iteration, &op)) return;
    std::vector<Expr> shown = args;
    for (Expr& e : shown) FillIndex(&e, iteration);
    op.text = PrintCall(step.call.name, shown);
    if (!Expectations(step, *spec, holder, iteration, step.blocks, &op)) return;
    if (step.blocks) {
      pending_[holder] = Pending{spec, step.loc, op.text, plan_.ops.size()};
    }
    if (spec->call == Call::kClose && op.fds.size() == 1) {
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
  Expected main;
  main.loc = step.loc;
  if (blocking) {
    Outcome o;
    o.kind = Outcome::Kind::kBlocks;
    o.loc = step.blocks_loc;
    main.any_of.push_back(o);
  } else {
    Binds binds;
    bool have_binds = false;
    for (const Alternative& written : step.results) {
      Alternative alt = written;
      bool ok = true;
      for (Expr& v : alt.values) ok = ok && Substitute(&v, row_, sink_);
      for (Attribute& a : alt.attrs)
        ok = ok && Substitute(&a.value, row_, sink_);
      if (!ok) {
        ++errors_;
        return false;
      }
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
    for (const Alternative& written : line.results) {
      Alternative alt = written;
      bool ok = true;
      for (Expr& v : alt.values) ok = ok && Substitute(&v, row_, sink_);
      for (Attribute& a : alt.attrs)
        ok = ok && Substitute(&a.value, row_, sink_);
      if (!ok) {
        ++errors_;
        return false;
      }
      Outcome o;
      Binds ignored;  // the main line's names are the ones bound
      if (!LowerOutcome(alt, spec, holder, iteration, &ignored, &o))
        return false;
      e.any_of.push_back(std::move(o));
    }
    for (const NameRef& n : line.platforms) {
      const auto& known = KnownPlatforms();
      if (n.name == known[0]) {
        Error(n.loc, "the main result is Linux's: 'on linux' is not needed");
        return false;
      }
      if (std::find(known.begin(), known.end(), n.name) == known.end()) {
        Error(n.loc, absl::StrCat("unknown platform '", n.name, "'",
                                  Hint(ClosestName(n.name, known)), " (known: ",
                                  absl::StrJoin(known, ", "), ")"));
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

namespace {

void CheckHeader(const Case& c, DiagnosticSink* sink) {
  for (size_t i = 1; i < c.titles.size(); ++i) {
    sink->Add(c.titles[i].first,
              "duplicate 'title': a case states one behaviour");
  }
  for (const NameRef& id : c.covers) {
    bool ok = id.name.size() >= 2 && id.name[0] == 'B';
    for (size_t i = 1; ok && i < id.name.size(); ++i) {
      ok = id.name[i] >= '0' && id.name[i] <= '9';
    }
    if (!ok) {
      sink->Add(id.loc, absl::StrCat("malformed behaviour id '", id.name,
                                     "' (ids look like B04)"));
    }
  }
  for (size_t i = 1; i < c.timeouts.size(); ++i) {
    sink->Add(c.timeouts[i].first, "duplicate 'timeout'");
  }
  for (const auto& t : c.timeouts) {
    if (t.second < 1 || t.second > 600000) {
      sink->Add(t.first, "timeout must be between 1 and 600000 ms");
    }
  }
  std::set<std::string> names;
  for (const PayloadDecl& p : c.payloads) {
    const std::string& n = p.name.name;
    if (n.empty() || !(n[0] >= 'a' && n[0] <= 'z')) {
      sink->Add(p.name.loc,
                absl::StrCat("payload names are lower_case: '", n, "'"));
    } else if (!names.insert(n).second) {
      sink->Add(p.name.loc, absl::StrCat("duplicate payload '", n, "'"));
    }
    if (p.value.kind == Expr::Kind::kInt &&
        (p.value.value < 0 || p.value.value > kMaxPayloadBytes)) {
      sink->Add(p.value.loc, absl::StrCat("payload size must be between 0 and ",
                                          kMaxPayloadBytes, " bytes"));
    }
  }
  std::set<std::string> peers;
  for (const PeerStmt& p : c.peers) {
    if (!internal::IsCapitalised(p.name.name)) {
      sink->Add(p.name.loc, absl::StrCat("peer names are Capitalised: '",
                                         p.name.name, "'"));
    } else if (!peers.insert(p.name.name).second) {
      sink->Add(p.name.loc,
                absl::StrCat("peer ", p.name.name, " is declared twice"));
    }
  }
}

void CheckRequired(const Case& c, DiagnosticSink* sink) {
  Location top{c.path, 1, 1};
  if (c.titles.empty()) {
    sink->Add(top,
              "missing 'title \"...\"': say the behaviour this case pins down");
  }
  if (!c.has_covers) {
    sink->Add(top,
              "missing 'covers': name the behaviour ids this case pins down "
              "(covers B04)");
  }
  if (c.sources.empty()) {
    sink->Add(
        top, "missing 'source \"...\"': say where the behaviour is documented");
  }
}

}  // namespace

std::vector<Plan> ValidateCase(const Case& c, const std::string& platform,
                               DiagnosticSink* sink) {
  size_t start = sink->size();
  const auto& known = KnownPlatforms();
  if (std::find(known.begin(), known.end(), platform) == known.end()) {
    sink->Add({c.path, 0, 0},
              absl::StrCat("unknown platform '", platform,
                           "' (known: ", absl::StrJoin(known, ", "), ")"));
    return {};
  }
  CheckHeader(c, sink);
  std::vector<MatrixRow> rows = ExpandMatrix(c, sink);
  if (rows.empty() && sink->size() == start && !c.excludes.empty()) {
    sink->Add(c.excludes[0].loc, "'exclude' removes every matrix row");
  }
  std::vector<Plan> plans;
  size_t total_ops = 0;
  int64_t total_data = 0;
  for (const MatrixRow& row : rows) {
    if (sink->size() >= 50) break;
    std::optional<Plan> plan =
        internal::RowLowering(c, row, platform, sink, &total_ops, &total_data)
            .Run();
    if (plan) plans.push_back(std::move(*plan));
  }
  CheckRequired(c, sink);
  if (sink->size() != start) return {};
  return plans;
}

}  // namespace sockspec
