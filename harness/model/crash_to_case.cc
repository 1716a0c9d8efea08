#include "harness/model/crash_to_case.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/os/fd.h"
#include "harness/model/crash_to_case_text.h"
#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/fuzz_sockets.h"
#include "harness/model/world.h"
#include "harness/lang/payload.h"
#include "harness/plan/quote.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::AllowedResult;
using model::FillPattern;
using model::Model;
using model::ModelLimits;
using model::ModelOp;
using model::Observed;
using model::OpKind;
using model::SocketName;
using model::SockType;
using model::SockTypeName;
using model::World;
}  // namespace
// The case-language text of each step (crash_to_case_text.h).
namespace {
using internal::AddressName;
using internal::Answer;
using internal::Answers;
using internal::Call;
using internal::Covers;
using internal::DataAt;
using internal::PayloadLine;
using internal::ReceivedName;
using internal::TokenName;
}  // namespace

namespace {

// The case language's cap on all data a case sends or expects, with room.
constexpr uint64_t kMaxCaseData = 60ull << 20;

// One replayed operation: what it was, where the data it writes or reads
// sits (internal::DataAt), what the kernel said, and (at the divergent step)
// what the model allows.
struct Step {
  ModelOp op;
  DataAt at;
  SockType type = SockType::kStream;  // of the socket op.end
  Observed obs;                       // obs.data is not kept
  std::vector<AllowedResult> allowed;
};

// Where `n` bytes whose DataHash is `hash` sit in what the program wrote
// (`extent`: each writer's bytes so far): `prefer` if they are there, else
// the first writer and offset that holds them. Bounded, as minimised inputs
// are small; false if nothing holds them.
constexpr uint64_t kSearchBound = uint64_t{1} << 32;  // a writer's bytes x the read's
bool Locate(const uint64_t (&extent)[model::kMaxSockets], DataAt prefer,
            size_t n, uint64_t hash, DataAt* found) {
  std::vector<uint8_t> probe(n);
  FillPattern(prefer.writer, prefer.offset, probe.data(), n);
  if (DataHash(probe) == hash) {
    *found = {prefer.writer, prefer.offset, {}};
    return true;
  }
  for (int w = 0; w < model::kMaxSockets; ++w) {
    for (uint64_t o = 0; o + n <= extent[w] && extent[w] * n < kSearchBound; ++o) {
      FillPattern(w, o, probe.data(), n);
      if (DataHash(probe) == hash) {
        *found = {w, o, {}};
        return true;
      }
    }
  }
  return false;
}

// The bytes a read returned as slices of `writer`'s pattern bytes (its
// first `extent`), in order, each as long as it can be: a stream read
// skips a taken out-of-band byte when a newer mark is pending (model_oob.cc).
// False if some byte is nowhere after the slice before it, or if the
// search would be too long (kSearchBound, as Locate).
bool LocatePieces(int writer, uint64_t extent, absl::Span<const uint8_t> data,
                  DataAt* found) {
  if (extent * data.size() > kSearchBound) return false;
  std::vector<uint8_t> pattern(extent);
  FillPattern(writer, 0, pattern.data(), pattern.size());
  DataAt at{writer, 0, {}};
  uint64_t from = 0;
  for (size_t p = 0; p < data.size();) {
    size_t best = 0;
    uint64_t best_at = 0;
    for (uint64_t o = from; o < extent; ++o) {
      size_t n = 0;
      while (p + n < data.size() && o + n < extent && pattern[o + n] == data[p + n]) ++n;
      if (n > best) {
        best = n;
        best_at = o;
      }
    }
    if (best == 0) return false;
    at.pieces.emplace_back(best_at, best);
    p += best;
    from = best_at + best;
  }
  at.offset = at.pieces.front().first;
  if (at.pieces.size() == 1) at.pieces.clear();
  *found = std::move(at);
  return true;
}

bool IsRead(const ModelOp& op) {
  return op.kind == OpKind::kRead || op.kind == OpKind::kRecvFrom;
}

bool Writes(const ModelOp& op) {
  return op.kind == OpKind::kWrite || op.kind == OpKind::kSendTo;
}

// The names an answer reports (getsockname, recvfrom) must be ones the
// case language states; InvalidArgument naming the step otherwise.
absl::Status Stateable(size_t step, const ModelOp& op, const Observed& o,
                       const char* side) {
  if ((op.kind != OpKind::kGetName && op.kind != OpKind::kRecvFrom) || o.ret < 0 ||
      !AddressName(o.value).empty()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "step %d, %s: the %s reported an address that is none of the "
      "program's names, which a case cannot state",
      step + 1, op.ToString(), side));
}

// The lines of one step: the call with its answer, the `on PLATFORM` line
// under it, then what follows it (closing received fds, an epoll set).
struct StepText {
  std::vector<std::string> before;  // setup for this step alone
  std::string line;                 // the step itself
  std::vector<std::string> after;
};

}  // namespace

absl::StatusOr<Conversion> CrashToCase(absl::Span<const uint8_t> input,
                                       const CrashToCaseOptions& options,
                                       ModelLimits limits) {
  return ProgramToCase(DecodeOps(input), input, options, limits);
}

absl::StatusOr<Conversion> ProgramToCase(const OpsProgram& program,
                                         absl::Span<const uint8_t> input,
                                         const CrashToCaseOptions& options,
                                         ModelLimits limits) {
  const std::string& fuzzer = options.fuzzer;
  // The sockets and names of ops_fuzzer itself (fuzz_sockets.h), judged by
  // World as it does; the pair's own Model beside it lists the answers the
  // model allows at a divergent step on a or b.
  absl::StatusOr<std::unique_ptr<FuzzSockets>> sockets = FuzzSockets::Create();
  if (!sockets.ok()) return sockets.status();
  if (absl::Status st = (*sockets)->Start(program.type); !st.ok()) return st;
  std::vector<uint8_t> wbuf(kMaxOpSize), rbuf(kMaxOpSize);
  World world(program.type, limits);
  Model pair(program.type, limits);
  SockType types[model::kMaxSockets];
  std::fill(std::begin(types), std::end(types), program.type);
  Conversion conv;
  std::vector<Step> steps;
  uint64_t extent[model::kMaxSockets] = {}, data_total = 0;
  const bool guest = !options.guest_answers.empty();
  const size_t last = std::min(options.max_steps, program.ops.size());
  for (const ModelOp& op : program.ops) {
    if (steps.size() >= options.max_steps) break;
    Step s;
    s.op = op;
    if (op.kind == OpKind::kSocket) types[op.slot] = static_cast<SockType>(op.value);
    if (op.kind == OpKind::kAccept) types[op.slot] = types[op.end];
    s.type = types[op.end];
    if (Writes(op)) {
      world.NextWrite(op.end, s.at.writer, s.at.offset);
      FillPattern(s.at.writer, s.at.offset, wbuf.data(), op.size);
      extent[s.at.writer] = std::max(extent[s.at.writer], s.at.offset + op.size);
      data_total += op.size;
    } else if (op.kind == OpKind::kRead && op.end < 2) {
      s.at = {1 - op.end, pair.ReadOffset(op), {}};
    }
    const bool on_pair = op.end < 2;
    std::optional<Model> before;
    if (on_pair) before = pair;
    s.obs = (*sockets)->Execute(op, wbuf.data(), rbuf.data(), s.at.offset);
    const absl::Status verdict = world.Check(op, s.obs);
    if (on_pair) pair.Check(op, s.obs).IgnoreError();  // World judged it
    if (IsRead(op) && s.obs.ret > 0) {
      data_total += s.obs.data.size();
      // On the pair the model's offset is tried first; an out-of-band byte
      // (the last of its send) or a read after a dropped one is elsewhere.
      if (verdict.ok() &&
          !Locate(extent, s.at, s.obs.data.size(), DataHash(s.obs.data), &s.at) &&
          (!on_pair || !LocatePieces(1 - op.end, extent[1 - op.end], s.obs.data, &s.at))) {
        return absl::DataLossError(absl::StrFormat(
            "step %d, %s: the kernel read %d bytes that are nowhere in what "
            "the program wrote", steps.size() + 1, op.ToString(),
            s.obs.data.size()));
      }
    }
    if (absl::Status st = Stateable(steps.size(), op, s.obs, "kernel"); !st.ok()) {
      return st;
    }
    s.obs.data = {};
    if (!verdict.ok()) {
      conv.diverged = true;
      conv.reason = std::string(verdict.message());
      if (!on_pair) {
        return absl::UnimplementedError(absl::StrFormat(
            "step %d, %s: the model diverges here (%s), but it lists the "
            "answers it allows only on the pair a, b (Model::AllowedResults; "
            "World has none), and the divergent step of a case expects them",
            steps.size() + 1, op.ToString(), conv.reason));
      }
      s.allowed = before->AllowedResults(op);
      for (const AllowedResult& a : s.allowed) {
        if (op.kind == OpKind::kRead && a.result.ret > 0) {
          data_total += std::min(static_cast<size_t>(a.result.ret), op.size);
        }
      }
    }
    if (guest && !conv.diverged && on_pair && steps.size() + 1 == last) {
      s.allowed = before->AllowedResults(op);  // for Covers only
    }
    steps.push_back(std::move(s));
    if (conv.diverged) break;
  }
  conv.steps = steps.size();
  // The guest's answer belongs to the last step, unless the host diverged
  // from the model earlier (then that step ends the case, as without one).
  const bool guest_step = guest && !conv.diverged && !steps.empty() &&
                          steps.size() == last;
  const uint64_t widest = *std::max_element(std::begin(extent), std::end(extent));
  if (widest > static_cast<uint64_t>(kMaxPayloadBytes) || data_total > kMaxCaseData) {
    return absl::OutOfRangeError(absl::StrFormat(
        "the case would carry %d bytes of data (the largest payload %d "
        "bytes): past the case language's limits",
        data_total, widest));
  }

  const std::string type = SockTypeName(program.type);
  std::string title = options.title;
  if (title.empty()) {
    title = guest_step ? absl::StrCat(options.guest_platform, " differs at ",
                                      steps.back().op.ToString())
            : conv.diverged ? absl::StrCat("Found by ", fuzzer, ": ", conv.reason)
                          : absl::StrCat(fuzzer, " input without divergence (",
                                         type, ", ", steps.size(), " operations)");
  }
  std::string text = absl::StrFormat(
      "# Made by fuzz/crash_to_case from an input of fuzz/%s (%s, %d of %d "
      "operations).\n"
      "# Each step expects what the kernel answered and the reference model\n"
      "# (harness/model.h) allowed%s.\n",
      fuzzer, type, steps.size(), program.ops.size(),
      conv.diverged ? ", except the last, which expects what the model allows"
                    : "");
  if (guest_step) {
    absl::StrAppendFormat(&text,
                          "# The last step differs on %s: its `on %s` line is "
                          "the answer seen there\n# (fuzz/ops_triage, "
                          "differential mode).\n",
                          options.guest_platform, options.guest_platform);
  }
  absl::StrAppend(&text, "title ", QuoteLiteral(title), "\n");
  std::string covers = options.covers;
  if (covers.empty()) {
    const Step& s = steps.back();
    covers = conv.diverged || guest_step ? Covers(s.type, s.op, s.obs, s.allowed) : "B13";
  }
  absl::StrAppend(&text, "covers ", covers, "\n");
  absl::StrAppend(&text, "source ",
                  QuoteLiteral(options.source.empty()
                                   ? absl::StrCat("fuzz/", fuzzer, " input ", Sha1Hex(input))
                                   : options.source),
                  "\n\n");
  for (int w = 0; w < model::kMaxSockets; ++w) {
    if (extent[w] > 0) absl::StrAppend(&text, PayloadLine(w, extent[w]));
  }
  // Named sockets (s2..s7) are made by P's own steps; their pathnames are
  // in the case's private directory, their abstract names unique to the run.
  absl::StrAppend(&text, "\nsocketpair(AF_UNIX, ", type, "|SOCK_NONBLOCK) = a, b\n",
                  "peer P holds a, b\n\n");
  // The fds writes pass are pipes' read ends (fuzz_ops.h FdTokens); each end
  // of the pair that epoll_wait looks at has a level-triggered epoll set of
  // its own (a named socket gets one for each epoll_wait, as ops_fuzzer
  // does: its index may be another socket by the next one).
  bool token_used[model::kFdTokens] = {};
  bool epoll_used[2] = {false, false};
  for (const Step& s : steps) {
    if (Writes(s.op)) {
      for (int i = 0; i < s.op.rights; ++i) {
        token_used[model::RightsToken(s.at.offset, i)] = true;
      }
    }
    if (s.op.kind == OpKind::kEpoll && s.op.end < 2) epoll_used[s.op.end] = true;
  }
  bool prologue = false;
  for (int t = 0; t < model::kFdTokens; ++t) {
    if (token_used[t]) {
      absl::StrAppend(&text, "P: pipe() = ", TokenName(t), ", ", TokenName(t), "w\n");
      prologue = true;
    }
  }
  for (int e = 0; e < 2; ++e) {
    if (!epoll_used[e]) continue;
    prologue = true;
    absl::StrAppendFormat(&text,
                          "P: epoll_create1(0) = e%s\n"
                          "P: epoll_ctl(e%s, EPOLL_CTL_ADD, %s, "
                          "EPOLLIN|EPOLLOUT|EPOLLRDHUP) = 0\n",
                          SocketName(e), SocketName(e), SocketName(e));
  }
  if (prologue) absl::StrAppend(&text, "\n");
  // The sockets the case holds: a socket() or accept() that failed leaves
  // ops_fuzzer's later operations on that index to run on fd -1 (EBADF),
  // which the case passes as `badfd`.
  bool held[model::kMaxSockets] = {true, true};
  bool epoll_et[2] = {false, false};  // the pair's EPOLLET sets made so far
  int received = 0;  // fds received so far: g1, g2...
  int line = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  const auto emit = [&](const std::string& s) {
    absl::StrAppend(&text, s, "\n");
    return line++;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const ModelOp& op = s.op;
    const bool divergent = conv.diverged && i + 1 == steps.size();
    const bool last_step = guest_step && i + 1 == steps.size();
    const GuestAnswer* g =
        guest && i < options.guest_answers.size() ? &options.guest_answers[i] : nullptr;
    if (divergent) emit(absl::StrCat("# ", fuzzer, " diverged here: ", conv.reason));
    const std::string e = held[op.end] ? SocketName(op.end) : "badfd";
    const int received_before = received;
    const std::string result =
        divergent ? Answers(op, s.at, s.allowed, &received)
                  : Answer(op, s.at, s.obs, s.obs.ret, &received);
    StepText t;
    switch (op.kind) {
      case OpKind::kWrite:
      case OpKind::kRead:
      case OpKind::kSendTo:
      case OpKind::kRecvFrom:
        t.line = absl::StrCat("P: ", Call(op, e, s.at), " = ", result);
        // The fds received are checked; closed again as ops_fuzzer does.
        for (int n = received_before + 1; !divergent && n <= received; ++n) {
          t.after.push_back(absl::StrCat("P: close(", ReceivedName(n), ") = 0"));
        }
        break;
      case OpKind::kSetPasscred:
        t.line = absl::StrFormat("P: setsockopt(%s, SOL_SOCKET, SO_PASSCRED, %d) = %s",
                                 e, op.value, result);
        break;
      case OpKind::kSetPeekOff:
        t.line = absl::StrFormat("P: setsockopt(%s, SOL_SOCKET, SO_PEEK_OFF, %d) = %s",
                                 e, op.value, result);
        break;
      case OpKind::kEpoll:
        if (op.end < 2) {
          t.line = absl::StrFormat("P: epoll_wait(e%s, 1, 0) = %s", e, result);
          break;
        }
        t.before = {absl::StrFormat("P: epoll_create1(0) = e%s", e),
                    absl::StrFormat("P: epoll_ctl(e%s, EPOLL_CTL_ADD, %s, "
                                    "EPOLLIN|EPOLLOUT|EPOLLRDHUP) = 0", e, e)};
        t.line = absl::StrFormat("P: epoll_wait(e%s, 1, 0) = %s", e, result);
        t.after = {absl::StrFormat("P: close(e%s) = 0", e)};
        break;
      case OpKind::kGetOpt:
        t.line = absl::StrFormat("P: getsockopt(%s, SOL_SOCKET, %s) = %s", e,
                                 model::SockOptName(static_cast<model::SockOpt>(op.value)),
                                 result);
        break;
      case OpKind::kShutdown:
        t.line = absl::StrFormat("P: shutdown(%s, %s) = %s", e,
                                 op.how == SHUT_RD   ? "SHUT_RD"
                                 : op.how == SHUT_WR ? "SHUT_WR"
                                                     : "SHUT_RDWR",
                                 result);
        break;
      case OpKind::kClose:
        t.line = absl::StrFormat("P: close(%s) = %s", e, result);
        if (op.end < 2 && epoll_et[op.end]) {
          epoll_et[op.end] = false;
          t.after = {absl::StrFormat("P: close(et%s) = 0", e)};
        }
        break;
      case OpKind::kPoll:
        if (!held[op.end]) {
          // poll(2) skips fd -1 (revents 0), where `badfd` is POLLNVAL.
          if (divergent || last_step) {
            return absl::InvalidArgumentError(absl::StrFormat(
                "step %d, %s: a poll of fd -1 (no socket %s was made), "
                "which a case cannot pass", i + 1, op.ToString(),
                SocketName(op.end)));
          }
          t.line = absl::StrFormat("# poll(%s) of fd -1 (no socket was made): %s",
                                   SocketName(op.end), result);
          break;
        }
        t.line = absl::StrFormat("P: poll(%s, POLLIN|POLLOUT|POLLRDHUP) = %s", e, result);
        break;
      case OpKind::kGetError:
        t.line = absl::StrFormat("P: getsockopt(%s, SOL_SOCKET, SO_ERROR) = %s", e, result);
        break;
      case OpKind::kInq:
        t.line = absl::StrFormat("P: ioctl(%s, SIOCINQ) = %s", e, result);
        break;
      case OpKind::kSetSndbuf: {
        // The model judges the value read back too: a getsockopt step,
        // unless the setsockopt failed (here, or in the guest: its error
        // belongs under the setsockopt line).
        const std::string set = absl::StrFormat(
            "P: setsockopt(%s, SOL_SOCKET, SO_SNDBUF, %d) = %s", e, op.value,
            s.obs.ret < 0 && !divergent ? ErrnoName(s.obs.err) : "0");
        int want = s.obs.sndbuf;
        if (divergent && !s.allowed.empty()) want = s.allowed[0].result.sndbuf;
        const std::string get =
            absl::StrFormat("P: getsockopt(%s, SOL_SOCKET, SO_SNDBUF) = %d", e, want);
        if (s.obs.ret != 0 && !divergent) {
          t.line = set;
        } else if (g != nullptr && g->obs.ret != s.obs.ret) {
          t.line = set;
          if (!last_step) t.after = {get};
        } else {
          t.before = {set};
          t.line = get;
        }
        break;
      }
      case OpKind::kSocket:
        t.line = absl::StrFormat("P: socket(AF_UNIX, %s|SOCK_NONBLOCK) = %s",
                                 SockTypeName(static_cast<SockType>(op.value)), result);
        break;
      case OpKind::kAccept:
        t.line = absl::StrFormat("P: accept4(%s, SOCK_NONBLOCK) = %s", e, result);
        break;
      case OpKind::kBind:
        t.line = absl::StrFormat("P: bind(%s, %s) = %s", e, AddressName(op.name), result);
        break;
      case OpKind::kListen:
        t.line = absl::StrFormat("P: listen(%s, %d) = %s", e, op.value, result);
        break;
      case OpKind::kConnect:
        // ops_fuzzer's AF_UNSPEC is the family alone (addrlen 2).
        t.line = absl::StrFormat("P: connect(%s, %s) = %s", e,
                                 op.name == model::kUnspec ? "addrlen(unspec, 2)"
                                                           : AddressName(op.name),
                                 result);
        break;
      case OpKind::kGetName:
        t.line = absl::StrFormat("P: %s(%s) = %s",
                                 op.how == 1 ? "getpeername" : "getsockname", e, result);
        break;
      case OpKind::kAtMark:
        t.line = absl::StrFormat("P: ioctl(%s, SIOCATMARK) = %s", e, result);
        break;
      case OpKind::kSetOobInline:
        t.line = absl::StrFormat("P: setsockopt(%s, SOL_SOCKET, SO_OOBINLINE, %d) = %s",
                                 e, op.value, result);
        break;
      case OpKind::kEpollEt:
        // ops_fuzzer makes the end's EPOLLET set at its first use and keeps
        // it until the end is closed: registered at that step, as there.
        if (!epoll_et[op.end]) {
          epoll_et[op.end] = true;
          t.before = {absl::StrFormat("P: epoll_create1(0) = et%s", e),
                      absl::StrFormat("P: epoll_ctl(et%s, EPOLL_CTL_ADD, %s, "
                                      "EPOLLIN|EPOLLPRI|EPOLLOUT|EPOLLRDHUP|EPOLLET) = 0",
                                      e, e)};
        }
        t.line = absl::StrFormat("P: epoll_wait(et%s, 1, 0) = %s", e, result);
        break;
    }
    if ((op.kind == OpKind::kSocket || op.kind == OpKind::kAccept) && s.obs.ret >= 0) {
      held[op.slot] = true;
    }
    if (op.kind == OpKind::kClose) held[op.end] = false;
    for (const std::string& b : t.before) emit(b);
    const int at = emit(t.line);
    if (divergent) conv.divergent_line = at;
    if (g != nullptr && t.line[0] != '#') {
      // A SO_SNDBUF step's answer is the value read back, or the error.
      std::string answer, host;
      if (op.kind == OpKind::kSetSndbuf) {
        answer = g->obs.ret < 0 ? ErrnoName(g->obs.err) : absl::StrCat(g->obs.sndbuf);
        host = s.obs.ret < 0 ? ErrnoName(s.obs.err) : absl::StrCat(s.obs.sndbuf);
      } else {
        if (absl::Status st = Stateable(i, op, g->obs, "guest"); !st.ok()) return st;
        // The guest's bytes may come from elsewhere in what was written (a
        // datagram the host dropped): found by their hash.
        DataAt at_guest = s.at;
        if (IsRead(op) && g->obs.ret > 0) {
          const size_t copied = std::min(static_cast<size_t>(g->obs.ret), op.size);
          if (!Locate(extent, s.at, copied, g->data_hash, &at_guest)) {
            return absl::DataLossError(absl::StrFormat(
                "step %d, %s: the guest read %d bytes that are nowhere in "
                "what the program wrote", i + 1, op.ToString(), copied));
          }
        }
        int guest_received = received_before;
        answer = Answer(op, at_guest, g->obs, g->obs.ret, &guest_received);
        host = result;
      }
      if (last_step || answer != host) {
        const int on = emit(absl::StrFormat("   on %s = %s because %s",
                                            options.guest_platform, answer,
                                            QuoteLiteral(options.guest_because)));
        if (last_step) {
          conv.guest_line = on;
          conv.divergent_line = at;
        }
        // The fds the host received may not have arrived in the guest:
        // they stay open (nothing after this step depends on it).
        if (IsRead(op)) t.after.clear();
      }
    }
    for (const std::string& a : t.after) emit(a);
  }
  conv.text = std::move(text);
  return conv;
}

}  // namespace sockspec
