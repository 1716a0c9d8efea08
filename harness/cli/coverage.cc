#include "harness/cli/coverage.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "harness/plan/calls.h"

namespace sockspec {
namespace {

constexpr int kTypeFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

std::string TypeName(int64_t type) {
  switch (type & ~kTypeFlags) {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
    default: return "other";
  }
}

const char* PairKindName(int64_t kind) {
  static const char* const kNames[] = {"socketpair", "pathname", "abstract",
                                       "inet4", "inet6"};
  return kind >= 0 && kind < 5 ? kNames[kind] : "other";
}

// The kind an address makes of the socket bound or connected with it; ""
// when it says nothing (kBoundOf is resolved by the caller).
std::string AddressKind(const AddressSpec& a) {
  switch (a.kind) {
    case AddressSpec::Kind::kPath:
    case AddressSpec::Kind::kLongPath: return "pathname";
    case AddressSpec::Kind::kAbstract: return "abstract";
    case AddressSpec::Kind::kUnnamed:
    case AddressSpec::Kind::kAutobind: return "autobind";
    case AddressSpec::Kind::kInet4: return "inet4";
    case AddressSpec::Kind::kInet6: return "inet6";
    case AddressSpec::Kind::kNone:
    case AddressSpec::Kind::kBoundOf: break;
  }
  return "";
}

// The flags argument of a data call, or 0.
int64_t MsgFlags(const Op& op) {
  const int i = SpecOf(op.call).msg_flags_int;
  return i >= 0 && static_cast<size_t>(i) < op.ints.size() ? op.ints[i] : 0;
}

// A call that sleeps on a blocking socket (read, send, accept, connect...).
bool CanBlockOnSocket(Call c) {
  return SpecOf(c).blocking == Blocking::kOnSocket;
}

// Whether the call's address argument (bind, connect, sendto) names the
// kind of the socket it is used on.
bool TakesAddress(Call c) {
  for (const ArgSpec& a : SpecOf(c).args) {
    if (a.kind == ArgKind::kAddress) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<Behaviour>> ParseBehaviours(const std::string& path,
                                                       const std::string& text) {
  std::vector<Behaviour> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    // Ids are B and two or three digits (B01..B49, then ranges like B280).
    if (cols.size() != 3 || cols[0].size() < 3 || cols[0].size() > 4 ||
        cols[0][0] != 'B') {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_no, ":1: error: expected 'Bnn<TAB>name<TAB>sources'"));
    }
    out.push_back({cols[0], cols[1], cols[2]});
  }
  return out;
}

PlanSockets SocketsOf(const Plan& plan) {
  PlanSockets s;
  // fd slot -> socket type, for sockets whose kind the first address decides.
  std::map<int, int64_t> pending_type;
  std::map<int, std::string> kind_of_slot;
  std::map<int, int64_t> domain_of_slot;
  auto settle = [&](int slot, const std::string& kind) {
    auto it = pending_type.find(slot);
    if (it == pending_type.end() || kind.empty()) return;
    kind_of_slot[slot] = kind;
    s.kinds_types.insert({kind, TypeName(it->second)});
    pending_type.erase(it);
  };
  for (const Op& op : plan.ops) {
    // The calls that make sockets or name their kind; every other call
    // counts only for its blocking mode, below.
    if (op.call == Call::kPair) {
      s.kinds_types.insert({PairKindName(op.ints[0]), TypeName(op.ints[1])});
      if (op.ints[1] & SOCK_NONBLOCK) s.nonblocking = true;
    } else if (op.call == Call::kSocketpair) {
      s.kinds_types.insert({"socketpair", TypeName(op.ints[1])});
      if (op.ints[1] & SOCK_NONBLOCK) s.nonblocking = true;
    } else if (op.call == Call::kSocket) {
      if (op.ints[1] & SOCK_NONBLOCK) s.nonblocking = true;
      if (!op.results.empty()) {
        pending_type[op.results[0]] = op.ints[1];
        domain_of_slot[op.results[0]] = op.ints[0];
      }
    } else if (TakesAddress(op.call)) {
      const AddressSpec& a = op.addr;
      std::string kind = a.kind == AddressSpec::Kind::kBoundOf
                             ? kind_of_slot[a.fd]
                             : AddressKind(a);
      if (!op.fds.empty()) settle(op.fds[0], kind);
    } else if (op.call == Call::kFcntl && op.ints.size() > 1 &&
               op.ints[0] == F_SETFL && (op.ints[1] & O_NONBLOCK)) {
      s.nonblocking = true;
    }
    if (MsgFlags(op) & MSG_DONTWAIT) s.nonblocking = true;
    if (CanBlockOnSocket(op.call) && !(MsgFlags(op) & MSG_DONTWAIT)) {
      s.blocking = true;
    }
  }
  // Sockets never bound or connected: unbound AF_UNIX, or inet.
  for (const auto& [slot, type] : pending_type) {
    int64_t domain = domain_of_slot[slot];
    std::string kind = domain == AF_INET    ? "inet4"
                       : domain == AF_INET6 ? "inet6"
                                            : "unbound";
    s.kinds_types.insert({kind, TypeName(type)});
  }
  return s;
}

std::map<std::string, BehaviourCoverage> Collect(
    const std::vector<LoadedCase>& cases, const std::string& root) {
  std::map<std::string, BehaviourCoverage> out;
  for (const LoadedCase& c : cases) {
    std::string path(absl::StripPrefix(c.path, root));
    for (const Plan& plan : c.plans) {
      PlanSockets s = SocketsOf(plan);
      for (const std::string& id : plan.covers) {
        BehaviourCoverage& b = out[id];
        b.files.insert(path);
        b.kinds_types.insert(s.kinds_types.begin(), s.kinds_types.end());
        b.blocking |= s.blocking;
        b.nonblocking |= s.nonblocking;
      }
    }
  }
  return out;
}

std::string RenderCoverage(const std::vector<Behaviour>& behaviours,
                           const std::map<std::string, BehaviourCoverage>& cov,
                           const std::map<std::string, std::string>& gaps) {
  std::string rows;
  std::vector<std::string> uncovered;
  int covered = 0;
  size_t combinations = 0;
  for (const Behaviour& b : behaviours) {
    auto it = cov.find(b.id);
    if (it == cov.end()) {
      auto gap = gaps.find(b.id);
      uncovered.push_back(absl::StrCat(
          "| ", b.id, " | ", b.name, " | ",
          gap == gaps.end() ? "no case yet" : gap->second, " |\n"));
      continue;
    }
    const BehaviourCoverage& c = it->second;
    ++covered;
    combinations += c.kinds_types.size();
    std::vector<std::string> files, kinds;
    for (const std::string& f : c.files) {
      files.push_back(absl::StrCat("[", f, "](", f, ")"));
    }
    std::map<std::string, std::vector<std::string>> by_kind;
    for (const auto& [kind, type] : c.kinds_types) {
      by_kind[kind].push_back(std::string(absl::StripPrefix(type, "SOCK_")));
    }
    for (const auto& [kind, types] : by_kind) {
      kinds.push_back(absl::StrCat(kind, ": ", absl::StrJoin(types, " ")));
    }
    std::string modes = c.blocking && c.nonblocking ? "blocking, non-blocking"
                        : c.nonblocking             ? "non-blocking"
                                                    : "blocking";
    absl::StrAppend(&rows, "| ", b.id, " | ", b.name, " | ",
                    absl::StrJoin(files, "<br>"), " | ",
                    absl::StrJoin(kinds, "<br>"), " | ", modes, " | ",
                    c.kinds_types.size(), " |\n");
  }
  std::string out = absl::StrCat(
      "# Coverage of the documented behaviours\n\n"
      "Generated from the case files' `covers` lines and the sockets their "
      "instances make; do not edit. Regenerate with\n"
      "`bazel run //harness:coverage -- --write`; `//cases:coverage_test` "
      "fails when this file is stale.\n\n",
      covered, " of ", behaviours.size(), " behaviours have cases; ",
      combinations,
      " behaviour x socket kind x type combinations run.\n\n"
      "| id | behaviour | cases | kinds: types | modes | combinations |\n"
      "| --- | --- | --- | --- | --- | --- |\n",
      rows);
  if (!uncovered.empty()) {
    absl::StrAppend(&out,
                    "\n## Behaviours with no case\n\n| id | behaviour | why |\n"
                    "| --- | --- | --- |\n",
                    absl::StrJoin(uncovered, ""));
  }
  std::vector<std::string> partial;
  for (const auto& [id, why] : gaps) {
    if (cov.count(id)) partial.push_back(absl::StrCat("| ", id, " | ", why, " |\n"));
  }
  if (!partial.empty()) {
    absl::StrAppend(&out,
                    "\n## Parts of covered behaviours no case pins down\n\n"
                    "| id | what and why |\n| --- | --- |\n",
                    absl::StrJoin(partial, ""));
  }
  return out;
}

}  // namespace sockspec
