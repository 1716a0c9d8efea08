// Turns an ops_fuzzer input into a case file that reproduces its divergence
// through the normal harness (fuzz/crash_to_case): the input is decoded and
// replayed exactly as ops_fuzzer does, and each step of the case expects what
// the kernel answered, up to the first divergent step, which expects what the
// model allows instead.
//
//   absl::StatusOr<Conversion> c = CrashToCase(bytes, {}, model::ModelLimits::FromKernel());
//   if (c.ok() && c->diverged) WriteFile("cases/fuzz/x.case", c->text);
#ifndef SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_H_
#define SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/model.h"

namespace sockspec {

// What the guest answered to one step; a read's bytes as their DataHash.
struct GuestAnswer {
  model::Observed obs;
  uint64_t data_hash = 0;
};

struct CrashToCaseOptions {
  // The fuzzer the input is for, named in the title, comments and source.
  std::string fuzzer = "ops_fuzzer";
  // The title; empty for "Found by ops_fuzzer: <the model's reason>".
  std::string title;
  // Replays at most this many operations (a differential finding stops at
  // the step where host and guest differ).
  size_t max_steps = SIZE_MAX;
  // A differential finding (fuzz_diff.h): the guest's answer to each step,
  // written under a step as `on PLATFORM = ANSWER because "..."` where it
  // differs from the host's answer, and always under the last replayed
  // step. The host's answers stay the steps' results (unless the host itself
  // diverges from the model first, as without a guest).
  std::vector<GuestAnswer> guest_answers;
  std::string guest_platform;  // "gvisor"
  std::string guest_because;   // "observed with gvisor-20221219"
  std::string source;          // the source line; empty: the input's SHA-1
  std::string covers;          // the covers line; empty: chosen from the step
};

struct Conversion {
  std::string text;      // the case file
  bool diverged = false;  // false: every result was allowed (text is still a case)
  std::string reason;    // the model's reason at the divergent step
  int divergent_line = 0;  // the 1-based line of the step expected to fail
  size_t steps = 0;        // operations replayed (up to the divergent one)
  int guest_line = 0;      // the line of the `on PLATFORM` answer, if any
};

// Decodes `input` with DecodeOps, replays it as ops_fuzzer does (a fresh
// non-blocking socketpair and the named sockets of FuzzSockets in this
// process, judged by model::World; SIGPIPE must be blocked: BlockSigpipe),
// and writes the case. Returns Internal if the sockets cannot be made,
// OutOfRange if the data the case would carry passes the case language's
// limits, Unimplemented if the model diverges first on a named socket
// (World lists no allowed answers), InvalidArgument if an answer names an
// address none of the program's names is or polls a socket never made at
// the step the case ends on, DataLoss if a read's bytes are nowhere in what
// the program wrote (on the pair: not even as slices of it in order, which
// a stream read that skips a taken out-of-band byte returns). Version 5's
// operations convert too: MSG_OOB sends and receives, ioctl(SIOCATMARK),
// SO_OOBINLINE, and an end's EPOLLET set made at its first wait.
absl::StatusOr<Conversion> CrashToCase(absl::Span<const uint8_t> input,
                                       const CrashToCaseOptions& options,
                                       model::ModelLimits limits);

// As CrashToCase, for a program decoded from `input` by any fuzzer (a
// sizes_fuzzer input through SizesAsOps): `input` only names the source.
absl::StatusOr<Conversion> ProgramToCase(const OpsProgram& program,
                                         absl::Span<const uint8_t> input,
                                         const CrashToCaseOptions& options,
                                         model::ModelLimits limits);

// The SHA-1 of `data` in lower-case hex (the name libFuzzer gives a crash
// input, and the case's source line).
std::string Sha1Hex(absl::Span<const uint8_t> data);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_H_
