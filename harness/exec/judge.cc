#include "harness/exec/judge.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/exec/judge_internal.h"
#include "harness/exec/syscalls.h"
#include "harness/os/sockopts.h"
#include "harness/plan/calls.h"

namespace sockspec {
namespace {

// An address reduced to what identifies it, so that equal addresses written
// with different addrlen (a pathname with or without its NUL) compare equal.
struct Canon {
  std::string key;  // "unnamed", "path:srv", "abstract:\0...", "inet4", ...
  int port = -1;    // inet only
};

Canon Canonical(absl::string_view b) {
  Canon c;
  if (b.size() <= sizeof(sa_family_t)) {
    c.key = "unnamed";
    return c;
  }
  sa_family_t family;
  memcpy(&family, b.data(), sizeof family);
  absl::string_view rest = b.substr(sizeof family);
  sockaddr_storage ss = {};
  memcpy(&ss, b.data(), std::min(b.size(), sizeof ss));
  if (family == AF_UNIX) {
    if (rest[0] != '\0') {
      c.key = absl::StrCat("path:", rest.substr(0, rest.find('\0')));
    } else {
      c.key = absl::StrCat("abstract:", rest);
    }
  } else if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    c.key = absl::StrCat("inet4:", ntohl(in->sin_addr.s_addr));
    c.port = ntohs(in->sin_port);
  } else if (family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    c.key = absl::StrCat("inet6:", absl::string_view(
        reinterpret_cast<const char*>(&in6->sin6_addr), sizeof in6->sin6_addr));
    c.port = ntohs(in6->sin6_port);
  } else {
    c.key = std::string(b);
  }
  return c;
}

bool AddressMatches(const AddressSpec& spec, const std::string& observed,
                    const JudgeContext& ctx) {
  using K = AddressSpec::Kind;
  if (spec.kind == K::kUnnamed) {
    // recvfrom from an unbound sender gives addrlen 0; get*name gives 2.
    return observed.size() <= sizeof(sa_family_t);
  }
  if (spec.kind == K::kAutobind) {
    // '\0' + 5 hex digits (unix(7)).
    if (observed.size() != sizeof(sa_family_t) + 6) return false;
    if (observed[sizeof(sa_family_t)] != '\0') return false;
    return std::all_of(observed.end() - 5, observed.end(),
                       [](char c) { return absl::ascii_isxdigit(c); });
  }
  absl::StatusOr<SockAddr> want =
      ResolveAddress(spec, ctx.bound, ctx.abstract_prefix);
  if (!want.ok()) return false;
  Canon w = Canonical(want->Bytes()), o = Canonical(observed);
  if (w.key != o.key) return false;
  // loopback4 without a port means "any port".
  bool any_port = (spec.kind == K::kInet4 || spec.kind == K::kInet6) && spec.port == 0;
  return any_port || w.port == o.port;
}

bool CredMatches(const CredSpec& c, const Cred& got, const JudgeContext& ctx) {
  const Cred want = ExpectedCred(c, ctx);
  return got.pid == want.pid && got.uid == want.uid && got.gid == want.gid;
}

bool SignalsMatch(const Outcome& out, const Observation& obs) {
  std::set<int> want(out.signals.begin(), out.signals.end());
  std::set<int> got(obs.signals.begin(), obs.signals.end());
  return want == got;
}

// getsockopt's option value: its bytes over what the kernel wrote (all of
// them unless `optlen` says otherwise), the pidfd's process, the groups.
bool OptionMatches(const Outcome& out, const Observation& obs,
                   const JudgeContext& ctx) {
  const size_t wrote = obs.data.size();
  if (out.optlen && static_cast<int64_t>(wrote) != *out.optlen) return false;
  if (out.optval) {
    const std::string& want = *out.optval;
    if (!out.optlen && wrote != want.size()) return false;
    const size_t n = std::min(wrote, want.size());
    if (obs.data.compare(0, n, want, 0, n) != 0) return false;
  }
  if (out.pidfd_of) {
    const size_t p = static_cast<size_t>(*out.pidfd_of);
    const int64_t pid = *out.pidfd_of >= 0 && p < ctx.peer_pids.size()
                            ? ctx.peer_pids[p]
                            : ctx.harness_pid;
    if (!obs.value || *obs.value != pid) return false;
  }
  if (out.groups_of_harness) {
    std::vector<int64_t> got = DecodeGids(obs.data);
    std::vector<int64_t> want = ctx.harness_groups;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got != want) return false;
  }
  return true;
}

bool Matches(const Op& call, const Outcome& out, const Observation& obs,
             const JudgeContext& ctx) {
  if (!SignalsMatch(out, obs)) return false;
  switch (out.kind) {
    case Outcome::Kind::kBlocks:
      return false;
    case Outcome::Kind::kErrno:
      return obs.ret == -1 && obs.err == out.err;
    case Outcome::Kind::kReturn:
      break;
  }
  if (obs.ret < 0) return false;
  if (out.ret && !out.ret->Contains(obs.ret)) return false;
  if (out.data) {
    if (obs.data != *out.data) return false;
    if (!out.ret && obs.ret != static_cast<int64_t>(out.data->size())) return false;
  }
  if (out.msg_flags && obs.msg_flags != out.msg_flags) return false;
  if (out.value && (!obs.value || !out.value->Contains(*obs.value))) return false;
  if (out.addr && (!obs.addr || !AddressMatches(*out.addr, *obs.addr, ctx))) return false;
  if (out.cred && (!obs.cred || !CredMatches(*out.cred, *obs.cred, ctx))) return false;
  if (out.value_pid_of) {
    const int p = *out.value_pid_of;
    const int64_t pid = p >= 0 && static_cast<size_t>(p) < ctx.peer_pids.size()
                            ? ctx.peer_pids[p]
                            : ctx.harness_pid;
    if (!obs.value || *obs.value != pid) return false;
  }
  if (out.ready) {
    // Order-insensitive: the kernel's order is no part of the contract.
    std::vector<std::pair<int, int64_t>> want = *out.ready, got = obs.ready;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want != got) return false;
  }
  if (!OptionMatches(out, obs, ctx)) return false;
  // Everything recvmsg received is stated: fds, credentials, other messages.
  const bool receives = SpecOf(call.call).ancillary == Ancillary::kReceive;
  if (receives && !out.cred && obs.cred) return false;
  if (!out.rights_same_as && !obs.rights.empty()) return false;
  if (!internal::CmsgsMatch(out.cmsgs, obs.cmsgs)) return false;
  if (out.messages && !internal::MessagesMatch(*out.messages, obs.messages)) return false;
  if (out.rights_same_as) {
    const std::vector<int>& want = *out.rights_same_as;
    if (want.size() != obs.rights.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i] < 0) continue;
      auto it = ctx.ids.find(want[i]);
      if (it == ctx.ids.end() || !(it->second == obs.rights[i])) return false;
    }
  }
  return true;
}

}  // namespace

Cred ExpectedCred(const CredSpec& c, const JudgeContext& ctx) {
  const bool peer = c.pid_of >= 0;
  const size_t p = peer ? static_cast<size_t>(c.pid_of) : 0;
  Cred want;
  want.pid = c.pid                              ? *c.pid
             : peer && p < ctx.peer_pids.size() ? ctx.peer_pids[p]
                                                : ctx.harness_pid;
  want.uid = c.uid                              ? *c.uid
             : peer && p < ctx.peer_uids.size() ? ctx.peer_uids[p]
                                                : ctx.uid;
  want.gid = c.gid                              ? *c.gid
             : peer && p < ctx.peer_gids.size() ? ctx.peer_gids[p]
                                                : ctx.gid;
  return want;
}

bool AllowsBlocking(const Expected& expect) {
  return std::any_of(expect.any_of.begin(), expect.any_of.end(),
                     [](const Outcome& o) { return o.kind == Outcome::Kind::kBlocks; });
}

Judgement Judge(const Op& call, const Expected& expect, const Observation& obs,
                const JudgeContext& ctx) {
  Judgement j;
  std::vector<std::string> want;
  const Outcome* with_data = nullptr;
  for (const Outcome& out : expect.any_of) {
    if (obs.harness_error.empty() && obs.leaked.empty() &&
        Matches(call, out, obs, ctx)) {
      j.ok = true;
    }
    want.push_back(DescribeOutcome(call, out, ctx));
    if (out.data && with_data == nullptr) with_data = &out;
  }
  j.expected = absl::StrJoin(want, " or ");
  j.observed = DescribeObservation(call, obs, ctx);
  if (!j.ok && with_data != nullptr && obs.ret >= 0 && obs.harness_error.empty() &&
      obs.data != *with_data->data) {
    const std::string& w = *with_data->data;
    size_t at = std::mismatch(w.begin(), w.begin() + std::min(w.size(), obs.data.size()),
                              obs.data.begin()).first - w.begin();
    if (at > 16) {
      // Show both sides from just before the difference.
      j.expected = absl::StrCat(j.expected, " (from byte ", at - 8, ": ",
                                QuoteBytes(w, at - 8), ")");
      j.observed = absl::StrCat(j.observed, " (from byte ", at - 8, ": ",
                                QuoteBytes(obs.data, at - 8), ")");
    }
    j.observed = absl::StrCat(j.observed, "; first difference at byte ", at);
  }
  return j;
}

}  // namespace sockspec
