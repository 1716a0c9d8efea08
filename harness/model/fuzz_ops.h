// The engine of fuzz/ops_fuzzer: decodes fuzzer bytes into a socket type and
// an operation sequence, runs it on a real non-blocking socketpair in this
// process and judges every result with the reference model (model.h).
//
//   OpsRunner runner(model::ModelLimits::FromKernel());
//   absl::Status verdict = runner.Run(DecodeOps(bytes));
//   if (!verdict.ok()) puts(verdict.message());  // the trace and the reason
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_OPS_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_OPS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "harness/model/model.h"
#include "harness/model/model_types.h"

namespace sockspec {

struct OpsProgram {
  model::SockType type = model::SockType::kStream;
  std::vector<model::ModelOp> ops;
};

// At most this many operations per fuzz input (a decoded OpsProgram).
constexpr size_t kMaxFuzzOps = 128;
// The largest size a decoded write or read asks for.
constexpr size_t kMaxOpSize = 65535u << 3;

// Decodes any bytes into a program; never fails (missing bytes read as 0).
// Two encodings (fuzz_ops_codec.cc), told apart by the first bytes:
//
// Version 1 (and 2) starts with kOpsMagic ("\xf5SX"), then a version byte V, then
// the type byte (% 3: STREAM, DGRAM, SEQPACKET), then operations, each
// opcode byte c (end = c & 1, code = c >> 1), a length byte L and L argument
// bytes. A code the version V does not define (kOpCodesInVersion) is skipped
// with its arguments, so a new operation gets a new code and a new version,
// and every existing input keeps its meaning. Codes and their arguments:
//   0 write: SIZE, f    1 read: SIZE, f    2 shutdown: how    3 poll
//   4 setsockopt SO_SNDBUF: U16 (x4)        5 close
// and, from version 2 on,
//   6 getsockopt SO_ERROR                   7 ioctl SIOCINQ
// and, from version 3 on (codes 8 to 15; 14 and 15 are unused so far),
//   8 sendmsg with SCM_RIGHTS: s, f, n      9 recvmsg with a control buffer: SIZE, f, c
//  10 setsockopt SO_PASSCRED: v             11 epoll_wait of the end (level-triggered)
//  12 getsockopt: o (% 6: SO_SNDBUF, SO_RCVBUF, SO_TYPE, SO_PASSCRED, SO_PEEK_OFF, SO_DOMAIN)
//  13 setsockopt SO_PEEK_OFF: I16 (little-endian, signed)
// where s is a size byte (0..255, so a stream write is one skb), n passes
// 1 + n % 4 fds (the FdTokens), c is the control buffer's length in bytes
// (0: NULL), v & 1 the value;
// with SIZE, f and how as in version 0. Version 4 adds named sockets
// (model/world.h), s2..s7 beside the pair; S is a byte picking s(2 + S % 6),
// and an operation on a socket that is not open is dropped; the opcode's end
// bit is ignored; socket() and accept() take the lowest free index:
//   16 socket: type (% 3)                  17 bind: S, name (% 9)
//   18 listen: S, backlog (% 4)            19 connect: S, name (% 8)
//   20 accept: S (the listener)            21 getsockname: S, peer (& 1:
//                                             getpeername)
//   22 on a named socket: S, c, then code c >> 1's arguments (codes 0..7
//      but 2 shutdown and 4 SO_SNDBUF)
//   23 sendto: S, name (% 8), SIZE, f      24 recvfrom: S, SIZE, f
// with f as in version 0 (the call part ignored: sendto(2), recvmsg(2)
// with msg_name); connect's name 8 is AF_UNSPEC (disconnect).
// Names 0..3 are pathnames p0..p3 in the runner's private directory, 4..7
// abstract names a0..a3 unique to the runner, 8 autobind. A version 4
// program does not end when both ends of the pair are closed.
// Version 5 adds out-of-band data and edge-triggered epoll (model_oob.cc),
// on the pair a, b (the opcode's end bit):
//   25 send with MSG_OOB: SIZE, f          26 recvmsg with MSG_OOB: SIZE, p
//                                             (p & 1: MSG_PEEK too)
//   27 ioctl SIOCATMARK                    28 setsockopt SO_OOBINLINE: v
//   29 epoll_wait of the end's own EPOLLET set (made at its first use)
// with f as a write's in version 0 (the call part ignored: send(2)).
//
// Version 0 (anything else: the original encoding, kept so that existing
// corpora decode as they always did): byte 0 picks the type (% 3). Each
// operation is an opcode byte c, with end = c & 1 and kind = (c >> 1) & 7:
//   0, 1  write: SIZE, then f: f&1 MSG_DONTWAIT, f&2 MSG_NOSIGNAL,
//         (f>>2)%3 the call (send, write, sendmsg)
//   2, 3  read: SIZE, then f: f&1 MSG_PEEK, f&2 MSG_TRUNC, f&4 MSG_DONTWAIT,
//         f&8 MSG_WAITALL, (f>>4)%3 the call (recv, read, recvmsg)
//   4     shutdown: how = next byte % 3 (SHUT_RD, SHUT_WR, SHUT_RDWR)
//   5     poll
//   6     setsockopt SO_SNDBUF: 4 * (next two bytes, little-endian)
//   7     close
// SIZE is a byte s: s itself if s < 0xe0, else the next two bytes
// (little-endian) << (s & 3). Operations on a closed end are dropped; the
// program ends once both ends are closed or after kMaxFuzzOps operations.
OpsProgram DecodeOps(absl::Span<const uint8_t> data);

// The first bytes of a version 1 input, and the newest version.
inline constexpr uint8_t kOpsMagic[3] = {0xf5, 'S', 'X'};
constexpr uint8_t kOpsVersion = 5;
// The encoding `data` uses: 0, or the version byte after kOpsMagic.
int OpsEncodingVersion(absl::Span<const uint8_t> data);

// The bytes of `program` in the first version that has all its operations
// (1 to 5), which DecodeOps turns back into it (named sockets take the
// lowest free index, as decoding does).
// Sizes and SO_SNDBUF values that the encoding cannot carry are rounded down
// to ones it can (every decoded program's can).
std::vector<uint8_t> EncodeOps(const OpsProgram& program);

// A deliberate fault injected into one observed result, to show the model
// catches it (the oracle's own test).
// kWrongValue changes what SO_ERROR, SIOCINQ or another option reads;
// kWrongFd names another token for a received fd, or other credentials.
// kWrongMark flips what ioctl(SIOCATMARK) answers (version 5 only).
enum class Corruption {
  kNone,
  kDropByte,
  kSwapBytes,
  kWrongErrno,
  kWrongValue,
  kWrongFd,
  kWrongMark
};

// Reads SOCKSPEC_CORRUPT (drop-byte, swap-bytes, wrong-errno, wrong-value,
// wrong-fd, wrong-mark). kNone when
// unset or empty; InvalidArgument for another value.
absl::StatusOr<Corruption> CorruptionFromEnv();

// Applies `c` to `obs` (whose read data sits in `rbuf`) unless `done`, or
// unless the result has nothing to corrupt; sets `done` once it has.
void CorruptObserved(Corruption c, const model::ModelOp& op,
                     model::Observed& obs, uint8_t* rbuf, bool& done);

// Blocks SIGPIPE in the calling thread, so that a write that raises it leaves
// it pending for ExecuteOp to collect and count.
void BlockSigpipe();

// The open files that writes with rights pass (model::kFdTokens pipes,
// opened once per process and kept open until it exits): every fd a read
// receives is identified as one of them by its inode, then closed.
class FdTokens {
 public:
  // The process's tokens, made on first use.
  static const FdTokens& Get();
  int fd(int token) const { return fds_[token]; }
  // The token `fd` is the same open file as, or model::kFdTokens.
  int Identify(int fd) const;

 private:
  FdTokens();
  int fds_[model::kFdTokens];
  ino_t inodes_[model::kFdTokens];
};

// Runs the system call(s) of `op` on `fd` and returns what the kernel said.
// A write sends op.size bytes from `wdata`, whose first byte is at
// `write_offset` in the writer's stream (it picks the FdTokens a write with
// rights passes: model::RightsToken); a read receives into `rbuf` (op.size
// bytes) and the result's data points there; the fds it receives are
// identified and closed. A failed write collects the SIGPIPE it raised
// (BlockSigpipe must be in effect). kClose closes `fd`.
model::Observed ExecuteOp(const model::ModelOp& op, int fd,
                          const uint8_t* wdata, uint8_t* rbuf,
                          uint64_t write_offset = 0);

class FuzzSockets;

class OpsRunner {
 public:
  explicit OpsRunner(model::ModelLimits limits);
  ~OpsRunner();

  // Runs `program` on a fresh SOCK_NONBLOCK socketpair and the named
  // sockets it makes (fuzz_sockets.h), judged by model::World. Returns OK
  // when every result is one the model allows; FailedPrecondition whose
  // message is the numbered trace of the sequence, the divergent step
  // marked, and the model's reason; Internal if the socketpair or the
  // private directory for socket files cannot be made.
  absl::Status Run(const OpsProgram& program,
                   Corruption corruption = Corruption::kNone);

  // Operations executed so far, over all runs.
  uint64_t ops_run() const { return ops_run_; }

 private:
  model::ModelLimits limits_;
  std::vector<uint8_t> wbuf_;
  std::vector<uint8_t> rbuf_;
  std::vector<model::Observed> results_;
  std::unique_ptr<FuzzSockets> sockets_;  // made by the first Run
  uint64_t ops_run_ = 0;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_OPS_H_
