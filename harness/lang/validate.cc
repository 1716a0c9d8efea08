#include "harness/lang/validate.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/lang/behaviour_ids.h"
#include "harness/lang/matrix.h"
#include "harness/lang/payload.h"
#include "harness/lang/requires.h"
#include "harness/lang/step_when.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {

const std::vector<std::string>& KnownPlatforms() {
  static const std::vector<std::string>* const kPlatforms =
      new std::vector<std::string>{"linux",  "gvisor", "freebsd",
                                   "darwin", "netbsd", "openbsd"};
  return *kPlatforms;
}

namespace internal {

std::string DidYouMean(const std::string& hint, const char* prefix) {
  return hint.empty() ? ""
                      : absl::StrCat(" (did you mean '", prefix, hint, "'?)");
}

std::string Shown(const Expr& e) {
  std::string s = PrintExpr(e);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return absl::StrCat("'", s, "'");
}

bool IsLower(const std::string& s) {
  return !s.empty() && s[0] >= 'a' && s[0] <= 'z';
}

bool IsErrnoLike(const std::string& s) {
  if (s.size() < 2 || s[0] != 'E') return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string LineCol(const Location& loc) {
  return absl::StrCat(loc.line, ":", loc.col);
}

bool IsPeerName(const std::string& s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return true;
  }
  return s.size() <= 3;  // A, B, A2: short all-caps names are peers too
}

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
  plan_.requirements = LowerRequires(c_, row_);
  if (!c_.timeouts.empty()) {
    plan_.step_timeout_ms = static_cast<int>(c_.timeouts[0].second);
  }
  for (const PayloadDecl& p : c_.payloads) {
    if (payloads_.count(p.name.name)) continue;
    if (p.value.kind == Expr::Kind::kString) {
      payloads_[p.name.name] = static_cast<int64_t>(p.value.text.size());
      payload_text_[p.name.name] = p.value.text;
    } else if (p.value.kind == Expr::Kind::kVar) {
      // `payload m = $SIZE`: this row's size (or text).
      Expr v = p.value;
      if (!Substitute(&v, row_, sink_)) {
        ++errors_;
        continue;
      }
      if (v.kind == Expr::Kind::kString) {
        payloads_[p.name.name] = static_cast<int64_t>(v.text.size());
        payload_text_[p.name.name] = v.text;
      } else if (v.kind == Expr::Kind::kInt && v.value >= 0 &&
                 v.value <= kMaxPayloadBytes) {
        payloads_[p.name.name] = v.value;
      } else {
        Error(p.value.loc,
              absl::StrCat("payload '", p.name.name, "' takes a size (0 to ",
                           kMaxPayloadBytes, ") or a string, not '",
                           PrintExpr(v), "'"));
      }
    } else {
      payloads_[p.name.name] = p.value.value;
    }
  }
  held_.resize(1);
  closed_.resize(1);
  DeclarePeers();
  for (const Step& step : c_.steps) {
    if (sink_->size() >= 50) break;
    if (!StepAppliesToRow(step, row_)) continue;
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
                                  DidYouMean(ClosestName(name, known))));
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
                                 LineCol(fork->second)));
    return -1;
  }
  std::vector<std::string> known;
  for (const auto& p : peers_) known.push_back(p.first);
  Error(name.loc, absl::StrCat("undeclared peer '", name.name, "'",
                               DidYouMean(ClosestName(name.name, known))));
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
    } else if (absl::c_find(BehaviourIds(), id.name) == BehaviourIds().end()) {
      sink->Add(id.loc, absl::StrCat("unknown behaviour id '", id.name,
                                     "': the catalogue, cases/behaviours.tsv, "
                                     "has no such line (add the behaviour there)"));
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
    if (!internal::IsPeerName(p.name.name)) {
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
  CheckRequires(c, sink);
  std::vector<MatrixRow> rows = ExpandMatrix(c, sink);
  if (rows.empty() && sink->size() == start && !c.excludes.empty()) {
    sink->Add(c.excludes[0].loc, "'exclude' removes every matrix row");
  }
  CheckStepConditions(c, rows, sink);
  std::vector<Plan> plans;
  size_t total_ops = 0;
  for (const MatrixRow& row : rows) {
    if (sink->size() >= 50) break;
    // The data budget is per instance: each row runs on its own.
    int64_t total_data = 0;
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
