// The channel between the coordinator and one peer process: two pipes (not
// sockets, so a fault-injection preload that breaks socket calls cannot break
// the harness itself) carrying length-prefixed messages.
//
//   coordinator: WriteFrame(cmd_w, EncodeCommand(run));
//   peer:        ReadFrame(cmd_r) -> DecodeCommand -> ... -> WriteFrame(res_w, EncodeMessage(m));
//   coordinator: ReadFrameUntil(res_r, deadline) -> DecodeMessage
#ifndef SOCKSPEC_HARNESS_EXEC_CONTROL_H_
#define SOCKSPEC_HARNESS_EXEC_CONTROL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "harness/os/fd.h"

namespace sockspec {

// The identity of an open file, to tell whether two fds refer to the same one.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
};

struct Cred {
  int64_t pid = 0;
  int64_t uid = 0;
  int64_t gid = 0;
};

// What one call did, as seen by the process that made it.
struct Observation {
  int64_t ret = 0;
  int err = 0;       // errno when ret == -1
  std::string data;  // bytes received
  std::optional<int> msg_flags;
  std::optional<int64_t> value;     // getsockopt, ioctl, fcntl, poll revents
  std::optional<std::string> addr;  // raw sockaddr, exactly addrlen bytes
  std::optional<Cred> cred;
  std::vector<FileId> rights;  // identities of the fds received
  // recvmsg: every control message that arrived, in the kernel's order
  // (SCM_RIGHTS and SCM_CREDENTIALS too: their contents are in rights and
  // cred); `data` is the payload, empty for SCM_RIGHTS.
  struct ControlMessage {
    int level = 0;
    int type = 0;
    std::string data;
  };
  std::vector<ControlMessage> cmsgs;
  // recvmmsg/sendmmsg: one entry per message the call handled.
  struct MessageResult {
    int64_t len = 0;   // msg_len
    std::string data;  // recvmmsg: the bytes received (at most the buffer)
    int flags = 0;     // recvmmsg: msg_flags
  };
  std::vector<MessageResult> messages;
  std::vector<int> signals;    // delivered during the call, ascending
  // epoll_wait: (fd slot from the event's data, events) in the kernel's
  // order; select/pselect: (fd slot, kReadSet|kWriteSet|kExceptSet).
  std::vector<std::pair<int, int64_t>> ready;
  // fd slot -> its address after a successful bind/listen/pair.
  std::vector<std::pair<int, std::string>> bound;
  // fd slot -> identity, for fds the call created or passed (SCM_RIGHTS).
  std::vector<std::pair<int, FileId>> ids;
  // fds the call left open in the process without binding them to a name
  // (the kernel installed them, nobody can close them): fd number -> what it
  // is ("socket", "pipe", a path). Any entry fails the step.
  std::vector<std::pair<int, std::string>> leaked;
  // Non-empty when the process could not make the call at all (an fd slot it
  // does not hold, an unknown call): a harness error, not a result.
  std::string harness_error;
};

// Coordinator -> peer.
struct PeerCommand {
  enum class Kind { kRun, kExit };
  Kind kind = Kind::kRun;
  int op_index = -1;
  // Every fd slot's recorded address, for AddressSpec::kBoundOf.
  std::vector<std::pair<int, std::string>> bound;
  std::vector<int64_t> peer_pids;  // by peer index (0 where not running)
  // The values captured so far (`= $name`), capture slot -> value, for an
  // op whose arguments use them.
  std::vector<std::pair<int, int64_t>> captures;
};

// Peer -> coordinator: "starting" right before a call that can block (peer.h,
// SendsStarting), then the result.
struct PeerMessage {
  enum class Kind { kStarting, kResult };
  Kind kind = Kind::kResult;
  int64_t fd_arg = -1;  // kStarting: the call's first argument if an fd
  Observation obs;      // kResult
};

std::string EncodeCommand(const PeerCommand& c);
// The command, or InvalidArgument for a malformed message.
absl::StatusOr<PeerCommand> DecodeCommand(absl::string_view bytes);
std::string EncodeMessage(const PeerMessage& m);
absl::StatusOr<PeerMessage> DecodeMessage(absl::string_view bytes);

// Writes a 4-byte length and `payload` completely (retrying EINTR and short
// writes). OK, or the write error.
absl::Status WriteFrame(int fd, absl::string_view payload);

// Reads one frame, blocking. Unavailable on end of file (the writer is
// gone), or the read error.
absl::StatusOr<std::string> ReadFrame(int fd);

// As ReadFrame, but gives up at `deadline`: nullopt if no complete frame
// arrived by then.
absl::StatusOr<std::optional<std::string>> ReadFrameUntil(int fd,
                                                          absl::Time deadline);

// The two pipes of one peer. The peer keeps cmd_read and result_write; the
// coordinator keeps cmd_write and result_read.
struct ControlPipes {
  UniqueFd cmd_read, cmd_write, result_read, result_write;
  // Both pipes (O_CLOEXEC), or the pipe2() error.
  static absl::StatusOr<ControlPipes> Make();
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_CONTROL_H_
