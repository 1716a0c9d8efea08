// Judging: does what a call did (an Observation) match what the case expects
// (any one of its Outcomes)? On a mismatch, both sides as readable text:
// errno names, flag symbols, data as escaped strings with the first
// differing byte.
//
//   Judgement j = Judge(op, op.expect, obs, ctx);
//   if (!j.ok) report("expected " + j.expected + ", got " + j.observed);
#ifndef SOCKSPEC_HARNESS_EXEC_JUDGE_H_
#define SOCKSPEC_HARNESS_EXEC_JUDGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "harness/exec/control.h"
#include "harness/plan/plan.h"

namespace sockspec {

// What the judge needs to resolve names in expectations.
struct JudgeContext {
  std::string abstract_prefix;
  std::vector<int64_t> peer_pids;  // by peer index
  int64_t harness_pid = 0;
  int64_t uid = 0;  // the harness's
  int64_t gid = 0;
  // Each peer's uid and gid as of now, by peer index: the harness's until
  // the peer runs drop_privileges(). Missing entries mean uid/gid.
  std::vector<int64_t> peer_uids;
  std::vector<int64_t> peer_gids;
  std::vector<int64_t> harness_groups;  // getgroups(), for gids(harness)
  std::map<int, std::string> bound;  // fd slot -> recorded sockaddr
  std::map<int, FileId> ids;         // fd slot -> open file identity
  // fd slot -> name as the case writes it ("g", "c[2]"), for messages that
  // say which fd differed; a slot without a name shows as "slot N".
  std::vector<std::string> fd_names;
};

struct Judgement {
  bool ok = false;
  std::string expected;  // "5 or -1 EAGAIN"
  std::string observed;  // "-1 ECONNRESET"
};

// Judges a completed call. `call` is the op that made the call (for a wakes
// step, the op that blocked); `expect` the outcomes allowed. A kBlocks
// outcome never matches a completed call, and an observation with leaked
// fds matches nothing ("leaked fd 7 (socket)"). What arrives with recvmsg
// must all be stated: an fd the outcome does not name (rights(...)),
// credentials it does not state (cred(...)) and any other control message
// it does not list (cmsg(...)) fail the step.
Judgement Judge(const Op& call, const Expected& expect, const Observation& obs,
                const JudgeContext& ctx);

// The pid, uid and gid a cred(...) expectation names: an explicit pid=,
// uid=, gid= as written, else those of the peer (or the harness) it names.
Cred ExpectedCred(const CredSpec& c, const JudgeContext& ctx);

// Whether `expect` allows the call to block.
bool AllowsBlocking(const Expected& expect);

// Text of one outcome / one observation, as the case language writes them.
std::string DescribeOutcome(const Op& call, const Outcome& out,
                            const JudgeContext& ctx);
std::string DescribeObservation(const Op& call, const Observation& obs,
                                const JudgeContext& ctx);

// Ready fds as the case language writes them, by name, in slot order:
// `events(a=EPOLLIN|EPOLLOUT, b=EPOLLOUT)` (epoll_wait) or
// `readfds(a) writefds(a, b)` (select, pselect); "0" when none.
std::string ReadyText(Call call, std::vector<std::pair<int, int64_t>> ready,
                      const std::vector<std::string>& fd_names);
// Whether a received control message is stated by rights(...) or
// cred(...) rather than cmsg(...): SCM_RIGHTS, and SCM_CREDENTIALS unless
// the control buffer cut it short.
bool StatedElsewhere(const Observation::ControlMessage& c);

// Items joined with ", ", runs of one item folded: "x × 253, y, z".
std::string FoldRepeats(const std::vector<std::string>& items);

// The name of fd slot `slot` in `ctx` ("g"), or "slot N".
std::string SlotName(const JudgeContext& ctx, int slot);

// path("srv"), abstract("x"), autobind, unnamed, loopback4(40000), ...
std::string DescribeAddress(absl::string_view sockaddr_bytes,
                            const std::string& abstract_prefix);

// `"ab\n\x01"`, at most `max` bytes from `from`, with "..." where cut.
std::string QuoteBytes(absl::string_view bytes, size_t from = 0,
                       size_t max = 48);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_JUDGE_H_
