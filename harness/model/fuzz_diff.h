// Differential mode of ops_fuzzer: one program runs on this machine and in a
// guest system, and the two lists of results are compared operation by
// operation, with no model. The guest runs a replay server (ServeOps), started
// once per run and fed inputs over a pipe, so a sandbox starts once, not once
// per input. Facts the results depend on (the SO_SNDBUF limits) are read on
// each side by that side; SO_SNDBUF values are capped at the smaller
// wmem_max of the two so that both sides run the same program.
//
//   absl::StatusOr<std::unique_ptr<DiffRunner>> r =
//       DiffRunner::Start("gvisor", "/proc/self/exe");
//   absl::StatusOr<std::optional<Difference>> d = (*r)->Run(bytes);
//   if (d.ok() && d->has_value()) puts((*d)->trace.c_str());
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_DIFF_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_DIFF_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "harness/guest/server_command.h"
#include "harness/model/fuzz_ops.h"

namespace sockspec {

// The argument that makes a fuzzer binary a replay server (ServeOps on its
// stdin and stdout) instead of fuzzing.
inline constexpr char kOpsServerFlag[] = "--sockspec-ops-server";

// One operation's result, as it crosses the pipe (both sides are the same
// binary). Read data is kept as its length and a 64-bit hash.
struct OpRecord {
  int64_t ret = 0;
  int32_t err = 0;
  int32_t msg_flags = 0;
  int32_t sndbuf = 0;
  int32_t value = 0;  // SO_ERROR, SIOCINQ
  int16_t revents = 0;
  uint8_t sigpipe = 0;
  uint8_t pad = 0;
  uint32_t pad2 = 0;  // no padding byte is left unset: records compare bytewise
  uint64_t data_len = 0;
  uint64_t data_hash = 0;
  // A recvmsg's control messages (model::Observed): fds as tokens.
  uint8_t nfds = 0;
  uint8_t creds = 0;  // model::Creds
  uint8_t creds_len = 0;
  uint8_t pad3 = 0;
  uint8_t fd_tokens[model::kMaxRights] = {};

  model::Observed ToObserved() const;
};

// What a side says about itself, read where it runs.
struct SideFacts {
  int32_t wmem_max = 0;
  int32_t default_sndbuf = 0;
  int32_t min_sndbuf = 0;
  char release[64] = {};  // uname -r
};

// The facts of the system this runs on.
SideFacts FactsOfThisSystem();

// FNV-1a, 64 bits: the hash in OpRecord::data_hash.
uint64_t DataHash(absl::Span<const uint8_t> data);

// Runs `program` on a fresh non-blocking socketpair with no model and appends
// one record per operation to `out`. Writes carry the pattern bytes of
// model.h at the writer's running count of bytes written. `corruption` as
// for OpsRunner (the guest's own test). Internal if the socketpair fails.
absl::Status RecordOps(const OpsProgram& program, Corruption corruption,
                       std::vector<OpRecord>& out);

// Closes the sockets RecordOps keeps between calls and removes their
// directory of socket files (static destructors do that at exit(); a
// process that ends by abort() calls this first).
void EndRecordOps();

// Lowers every SO_SNDBUF value above `cap` to it (rounded down to 4).
void CapSndbuf(OpsProgram& program, int cap);

// The replay server: writes this system's SideFacts on `out`, then for each
// frame on `in` (u32 length, i32 SO_SNDBUF cap, the input) runs the decoded
// program and answers u32 count and the records; `answered`, if given, is
// called with the number of answers so far after each (the qemu guest's test
// hooks). Returns 0 at end of input, 2 on an I/O error or a bad
// SOCKSPEC_CORRUPT.
int ServeOps(int in, int out,
             const std::function<void(int)>& answered = nullptr);

// Where the two sides first differ.
struct Difference {
  OpsProgram program;  // as run (SO_SNDBUF capped)
  size_t step = 0;     // 0-based index of the first differing operation
  std::vector<OpRecord> host, guest;
  // "recvmsg SOCK_STREAM: host short, guest EAGAIN": operation, the type of
  // the socket it acts on (a named one's own), the class of each side's
  // answer (DiffSignature).
  std::string signature;
  std::string trace;  // numbered steps, both answers, the step marked
};

// What SO_SNDBUF reads back after setsockopt(`value`) on a side with
// `facts`: min(value, wmem_max) doubled, at least the side's minimum.
int64_t SndbufPerLimits(int value, const SideFacts& facts);

// True when `host` and `guest` are the same answer to `op`: equal, or a
// SO_SNDBUF that each side reads back as its own limits say (after
// setsockopt, or with getsockopt: its own minimum or default).
bool SameResult(const model::ModelOp& op, const OpRecord& host,
                const OpRecord& guest, const SideFacts& host_facts,
                const SideFacts& guest_facts);

// The signature of a difference at `step` (Difference::signature).
std::string DiffSignature(const OpsProgram& program, size_t step,
                          const OpRecord& host, const OpRecord& guest,
                          const SideFacts& host_facts,
                          const SideFacts& guest_facts);

class DiffRunner {
 public:
  // Starts `binary kOpsServerFlag` in guest `under` (StartGuestServer:
  // gvisor, command:CMD, qemu:KERNEL) and reads its facts. The error of
  // StartGuestServer, or Unavailable if the server says nothing.
  static absl::StatusOr<std::unique_ptr<DiffRunner>> Start(
      const std::string& under, const std::string& binary);

  // Ends the server (GuestServer's destructor).
  ~DiffRunner() = default;

  // Runs `input` on both sides. Returns nullopt when every result is the
  // same, the Difference otherwise; Unavailable if the guest's server died,
  // answered nonsense or did not answer within the deadline (a backstop:
  // 300 s, $SOCKSPEC_DIFF_DEADLINE seconds if set), with what the guest
  // says about it (GuestServer::Failure); Internal if this side could not run.
  absl::StatusOr<std::optional<Difference>> Run(absl::Span<const uint8_t> input);

  const SideFacts& host_facts() const { return host_facts_; }
  const SideFacts& guest_facts() const { return guest_facts_; }
  const std::string& under() const { return under_; }
  // The SO_SNDBUF values both sides run with are capped at this.
  int sndbuf_cap() const;
  uint64_t ops_run() const { return ops_run_; }

 private:
  DiffRunner(std::string under, std::unique_ptr<GuestServer> server)
      : under_(std::move(under)), server_(std::move(server)) {}

  // Unavailable: "the ops server under UNDER " + what + the guest's Failure().
  absl::Status Gone(const std::string& what);

  std::string under_;
  std::unique_ptr<GuestServer> server_;
  int deadline_s_ = 300;
  SideFacts host_facts_, guest_facts_;
  std::vector<OpRecord> host_, guest_;
  uint64_t ops_run_ = 0;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_DIFF_H_
