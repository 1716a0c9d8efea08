// The engine of fuzz/sizes_fuzzer, the experiment sockspec started from: a
// forked writer sends a list of sizes over a blocking socketpair, this process
// reads with a list of buffer sizes, and boundaries and content are checked.
// STREAM: every byte arrives, once, in order, chunked however the kernel
// likes. DGRAM/SEQPACKET: each read is exactly one write, in order, cut to
// the buffer (MSG_TRUNC) when the buffer is short.
//
//   absl::Status verdict = RunSizes(DecodeSizes(bytes));
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "harness/model/model_types.h"

namespace sockspec {

struct SizesProgram {
  model::SockType type = model::SockType::kStream;
  bool msg_trunc = false;          // read with MSG_TRUNC (datagrams)
  std::vector<size_t> writes;      // the writer's sizes, in order
  std::vector<size_t> reads;       // buffer sizes, used in turn, cycling

  // "SOCK_DGRAM, writes [3, 0, 700], reads [2, 4096]".
  std::string ToString() const;
};

// Limits that keep one input fast and every write below the send buffer.
constexpr size_t kMaxSizesWrites = 48;
constexpr size_t kMaxSizesReads = 48;
constexpr size_t kMaxStreamBytes = 1 << 18;   // all writes together
constexpr size_t kMaxDatagram = 65536;        // one datagram

// Decodes any bytes; never fails. Byte 0: type = (b & 3) % 3, MSG_TRUNC if
// b & 4.
// Byte 1: the number of writes (% 49). Then each write's SIZE, then read
// sizes up to the end of the input; SIZE is a byte s: s if s < 0xe0, else
// the next two bytes (little-endian) << (s & 3). Sizes are clamped to the
// limits above; STREAM reads of 0 become 1 (0 would read as EOF); no read
// sizes means 4096.
SizesProgram DecodeSizes(absl::Span<const uint8_t> data);

// Runs `program`: forks the writer, reads and checks, reaps the writer.
// Every read has a 10 s deadline (SO_RCVTIMEO), so a lost byte cannot hang
// the run. Returns OK; FailedPrecondition naming the program, the read and
// what differs; Internal when the socketpair or fork fails.
absl::Status RunSizes(const SizesProgram& program);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_H_
