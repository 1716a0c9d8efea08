#include "harness/model/fuzz_diff.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/os/fd.h"
#include "harness/guest/server_command.h"
#include "harness/model/fuzz_sockets.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::FillPattern;
using model::ModelLimits;
using model::ModelOp;
using model::Observed;
using model::OpKind;
using model::SockTypeName;
using model::SockTypeValue;
}  // namespace

namespace {

// Reads or writes exactly n bytes; false at end of file or on an error, and
// for a read with `seconds` >= 0 also when that many seconds have passed.
bool ReadFull(int fd, void* buf, size_t n, int seconds = -1) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (seconds >= 0 && left.count() <= 0) return false;
    struct pollfd pfd = {fd, POLLIN, 0};
    const int r = poll(&pfd, 1, seconds < 0 ? -1 : static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    const ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool WriteFull(int fd, const void* buf, size_t n) {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    const ssize_t r = write(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

struct FrameHeader {
  uint32_t len;
  int32_t sndbuf_cap;
};

}  // namespace

Observed OpRecord::ToObserved() const {
  Observed o;
  o.ret = static_cast<ssize_t>(ret);
  o.err = err;
  o.msg_flags = msg_flags;
  o.sigpipe = sigpipe != 0;
  o.revents = revents;
  o.sndbuf = sndbuf;
  o.value = value;
  o.nfds = nfds;
  o.creds = static_cast<model::Creds>(creds);
  o.creds_len = creds_len;
  for (int i = 0; i < model::kMaxRights; ++i) o.fd_tokens[i] = fd_tokens[i];
  return o;
}

SideFacts FactsOfThisSystem() {
  const ModelLimits limits = ModelLimits::FromKernel();
  SideFacts f;
  f.wmem_max = limits.wmem_max;
  f.default_sndbuf = limits.default_sndbuf;
  f.min_sndbuf = limits.min_sndbuf;
  struct utsname u;
  if (uname(&u) == 0) {
    // memcpy, not strncpy: gcc -O2 flags strncpy's possible truncation.
    const size_t n = strnlen(u.release, sizeof f.release - 1);
    memcpy(f.release, u.release, n);
    f.release[n] = '\0';
  }
  return f;
}

uint64_t DataHash(absl::Span<const uint8_t> data) {
  uint64_t h = 14695981039346656037ull;
  for (uint8_t b : data) h = (h ^ b) * 1099511628211ull;
  return h;
}

void CapSndbuf(OpsProgram& program, int cap) {
  for (ModelOp& op : program.ops) {
    if (op.kind == OpKind::kSetSndbuf && op.value > cap) op.value = cap & ~3;
  }
}

namespace {
// RecordOps' sockets, kept from one call to the next (EndRecordOps).
std::unique_ptr<FuzzSockets>& RecordSockets() {
  static std::unique_ptr<FuzzSockets> sockets;
  return sockets;
}
}  // namespace

void EndRecordOps() { RecordSockets().reset(); }

absl::Status RecordOps(const OpsProgram& program, Corruption corruption,
                       std::vector<OpRecord>& out) {
  std::unique_ptr<FuzzSockets>& sockets = RecordSockets();
  if (sockets == nullptr) {
    absl::StatusOr<std::unique_ptr<FuzzSockets>> s = FuzzSockets::Create();
    if (!s.ok()) return s.status();
    sockets = *std::move(s);
  }
  if (absl::Status s = sockets->Start(program.type); !s.ok()) return s;
  static std::vector<uint8_t> wbuf(kMaxOpSize), rbuf(kMaxOpSize);
  uint64_t written[model::kMaxSockets] = {};
  bool corrupted = false;
  for (const ModelOp& op : program.ops) {
    // Any data both sides agree on will do: each socket writes its own
    // stream of pattern bytes.
    if (op.kind == OpKind::kWrite || op.kind == OpKind::kSendTo) {
      FillPattern(op.end, written[op.end], wbuf.data(), op.size);
    }
    Observed obs = sockets->Execute(op, wbuf.data(), rbuf.data(), written[op.end]);
    CorruptObserved(corruption, op, obs, rbuf.data(), corrupted);
    if ((op.kind == OpKind::kWrite || op.kind == OpKind::kSendTo) && obs.ret > 0) {
      written[op.end] += obs.ret;
    }
    OpRecord r;
    r.ret = obs.ret;
    r.err = obs.ret < 0 ? obs.err : 0;
    r.msg_flags = obs.msg_flags;
    r.sndbuf = obs.sndbuf;
    r.value = obs.value;
    r.revents = obs.revents;
    r.sigpipe = obs.sigpipe ? 1 : 0;
    r.data_len = obs.data.size();
    r.data_hash = DataHash(obs.data);
    r.nfds = static_cast<uint8_t>(std::min(obs.nfds, 255));
    r.creds = static_cast<uint8_t>(obs.creds);
    r.creds_len = static_cast<uint8_t>(obs.creds_len);
    for (int i = 0; i < model::kMaxRights; ++i) r.fd_tokens[i] = obs.fd_tokens[i];
    out.push_back(r);
  }
  return absl::OkStatus();
}

int ServeOps(int in, int out, const std::function<void(int)>& answered) {
  absl::StatusOr<Corruption> corruption = CorruptionFromEnv();
  if (!corruption.ok()) {
    fprintf(stderr, "ops server: %s\n", corruption.status().ToString().c_str());
    return 2;
  }
  BlockSigpipe();
  const SideFacts facts = FactsOfThisSystem();
  if (!WriteFull(out, &facts, sizeof facts)) return 2;
  std::vector<uint8_t> input;
  std::vector<OpRecord> records;
  FrameHeader h;
  int answers = 0;
  while (ReadFull(in, &h, sizeof h)) {
    input.resize(h.len);
    if (!ReadFull(in, input.data(), h.len)) return 2;
    OpsProgram program = DecodeOps(input);
    CapSndbuf(program, h.sndbuf_cap);
    records.clear();
    absl::Status s = RecordOps(program, *corruption, records);
    if (!s.ok()) {
      fprintf(stderr, "ops server: %s\n", s.ToString().c_str());
      return 2;
    }
    const uint32_t n = static_cast<uint32_t>(records.size());
    if (!WriteFull(out, &n, sizeof n) ||
        !WriteFull(out, records.data(), n * sizeof(OpRecord))) {
      return 2;
    }
    if (answered) answered(++answers);
  }
  return 0;
}

absl::StatusOr<std::unique_ptr<DiffRunner>> DiffRunner::Start(
    const std::string& under, const std::string& binary) {
  absl::StatusOr<std::unique_ptr<GuestServer>> server =
      StartGuestServer(under, binary, {kOpsServerFlag});
  if (!server.ok()) return server.status();
  std::unique_ptr<DiffRunner> r(new DiffRunner(under, *std::move(server)));
  if (const char* s = getenv("SOCKSPEC_DIFF_DEADLINE"); s != nullptr && atoi(s) > 0) {
    r->deadline_s_ = atoi(s);
  }
  r->host_facts_ = FactsOfThisSystem();
  if (!ReadFull(r->server_->from(), &r->guest_facts_, sizeof r->guest_facts_,
                  r->deadline_s_)) {
    return r->Gone("did not start (it said nothing)");
  }
  return r;
}

absl::Status DiffRunner::Gone(const std::string& what) {
  const std::string failure = server_->Failure();
  return absl::UnavailableError(absl::StrCat("the ops server under ", under_,
                                             " ", what,
                                             failure.empty() ? "" : ": ", failure));
}

int DiffRunner::sndbuf_cap() const {
  return std::min(host_facts_.wmem_max, guest_facts_.wmem_max);
}

absl::StatusOr<std::optional<Difference>> DiffRunner::Run(
    absl::Span<const uint8_t> input) {
  OpsProgram program = DecodeOps(input);
  CapSndbuf(program, sndbuf_cap());
  const FrameHeader h = {static_cast<uint32_t>(input.size()), sndbuf_cap()};
  if (!WriteFull(server_->to(), &h, sizeof h) ||
      !WriteFull(server_->to(), input.data(), input.size())) {
    return Gone("is gone");
  }
  host_.clear();
  absl::Status s = RecordOps(program, Corruption::kNone, host_);
  if (!s.ok()) return absl::InternalError(s.message());
  uint32_t n = 0;
  if (!ReadFull(server_->from(), &n, sizeof n, deadline_s_)) {
    return Gone(absl::StrCat("did not answer (ended, or silent for ",
                             deadline_s_, " s)"));
  }
  if (n != program.ops.size()) {
    return Gone(absl::StrCat("answered ", n, " results for ",
                             program.ops.size(), " operations"));
  }
  guest_.resize(n);
  if (!ReadFull(server_->from(), guest_.data(), n * sizeof(OpRecord),
                  deadline_s_)) {
    return Gone("died mid-answer");
  }
  ops_run_ += n;
  size_t step = 0;
  while (step < n && SameResult(program.ops[step], host_[step], guest_[step],
                                host_facts_, guest_facts_)) {
    ++step;
  }
  if (step == n) return std::nullopt;
  Difference d;
  d.step = step;
  d.host = host_;
  d.guest = guest_;
  d.signature = DiffSignature(program, step, host_[step], guest_[step],
                              host_facts_, guest_facts_);
  d.trace = absl::StrFormat(
      "ops_fuzzer: %s socketpair (non-blocking), host (%s) and %s (%s) "
      "differ at step %d of %d:\n",
      SockTypeName(program.type), host_facts_.release, under_,
      guest_facts_.release, step + 1, n);
  for (size_t i = 0; i < n; ++i) {
    const ModelOp& op = program.ops[i];
    const std::string hs = host_[i].ToObserved().ToString(op);
    const std::string gs = guest_[i].ToObserved().ToString(op);
    absl::StrAppendFormat(&d.trace, "%s %3d. %s = %s", i == step ? ">" : " ",
                          i + 1, op.ToString(), hs);
    if (gs != hs || i == step) absl::StrAppend(&d.trace, "  | guest: ", gs);
    absl::StrAppend(&d.trace, "\n");
  }
  absl::StrAppend(&d.trace, "signature: ", d.signature, "\n");
  d.program = std::move(program);
  return d;
}

}  // namespace sockspec
