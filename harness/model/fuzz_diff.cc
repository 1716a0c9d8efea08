#include "harness/model/fuzz_diff.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

// Reads or writes exactly n bytes; false at end of file or on an error.
bool ReadFull(int fd, void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    const ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
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
    strncpy(f.release, u.release, sizeof f.release - 1);
    f.release[sizeof f.release - 1] = '\0';
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

absl::Status RecordOps(const OpsProgram& program, Corruption corruption,
                       std::vector<OpRecord>& out) {
  static std::unique_ptr<FuzzSockets> sockets;
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
    Observed obs = sockets->Execute(op, wbuf.data(), rbuf.data());
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
    out.push_back(r);
  }
  return absl::OkStatus();
}

int ServeOps(int in, int out) {
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
  }
  return 0;
}

absl::StatusOr<std::unique_ptr<DiffRunner>> DiffRunner::Start(
    const std::string& under, const std::string& binary) {
  absl::StatusOr<std::vector<std::string>> argv =
      ServerCommand(under, binary, {kOpsServerFlag});
  if (!argv.ok()) return argv.status();
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
    return ErrnoStatus("pipe2()", errno);
  }
  UniqueFd to_r(to[0]), to_w(to[1]), from_r(from[0]), from_w(from[1]);
  std::vector<char*> args;
  for (std::string& a : *argv) args.push_back(a.data());
  args.push_back(nullptr);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    dup2(to_r.get(), 0);
    dup2(from_w.get(), 1);
    execvp(args[0], args.data());
    fprintf(stderr, "ops server: cannot run %s: %s\n", args[0],
            strerror(errno));
    return 127;
  });
  if (!child.ok()) return child.status();
  to_r.reset();
  from_w.reset();
  std::unique_ptr<DiffRunner> r(new DiffRunner(
      under, *std::move(child), std::move(to_w), std::move(from_r)));
  r->host_facts_ = FactsOfThisSystem();
  if (!ReadFull(r->from_.get(), &r->guest_facts_, sizeof r->guest_facts_)) {
    return absl::UnavailableError(absl::StrCat(
        "the ops server under ", under, " did not start (",
        absl::StrJoin(*argv, " "), ")"));
  }
  return r;
}

DiffRunner::~DiffRunner() {
  // End of input ends the server; runsc then tears its sandbox down.
  to_.reset();
  (void)child_.Wait();
}

int DiffRunner::sndbuf_cap() const {
  return std::min(host_facts_.wmem_max, guest_facts_.wmem_max);
}

absl::StatusOr<std::optional<Difference>> DiffRunner::Run(
    absl::Span<const uint8_t> input) {
  OpsProgram program = DecodeOps(input);
  CapSndbuf(program, sndbuf_cap());
  const FrameHeader h = {static_cast<uint32_t>(input.size()), sndbuf_cap()};
  if (!WriteFull(to_.get(), &h, sizeof h) ||
      !WriteFull(to_.get(), input.data(), input.size())) {
    return absl::UnavailableError(
        absl::StrCat("the ops server under ", under_, " is gone"));
  }
  host_.clear();
  absl::Status s = RecordOps(program, Corruption::kNone, host_);
  if (!s.ok()) return absl::InternalError(s.message());
  uint32_t n = 0;
  if (!ReadFull(from_.get(), &n, sizeof n) || n != program.ops.size()) {
    return absl::UnavailableError(absl::StrCat(
        "the ops server under ", under_, " died or answered ", n,
        " results for ", program.ops.size(), " operations"));
  }
  guest_.resize(n);
  if (!ReadFull(from_.get(), guest_.data(), n * sizeof(OpRecord))) {
    return absl::UnavailableError(
        absl::StrCat("the ops server under ", under_, " died mid-answer"));
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
