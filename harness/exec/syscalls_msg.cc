// recvmsg and sendmsg, with their control messages (SCM_RIGHTS,
// SCM_CREDENTIALS sent; every type read back).
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

constexpr int64_t kMaxBuffer = 64 << 20;
constexpr int64_t kMaxRights = 253;  // SCM_MAX_FD
constexpr int kScmPidfd = 4;         // SCM_PIDFD, Linux 6.5 (not in 6.1's headers)

// The msg_control buffer recvmsg is given: room for `rights=N` fds and
// `creds`, or exactly `control=N` bytes; NULL (with its length) for
// `control=null(N)`.
struct ControlBuffer {
  size_t len = 0;
  bool null = false;
  std::vector<uint64_t> words;  // cmsghdr needs alignment: 8-byte words
  void* data() { return null || len == 0 ? nullptr : words.data(); }
};

ControlBuffer RecvControl(const Op& op) {
  ControlBuffer b;
  const int64_t rights = std::min(IntArg(op, 2, -1), kMaxRights);
  const bool want_creds = IntArg(op, 3) == 1;
  const int64_t exact = IntArg(op, 4, -1);
  if (exact >= 0) {
    b.len = static_cast<size_t>(exact);
    b.null = IntArg(op, 5) == 1;
  } else {
    if (rights >= 0) b.len += CMSG_SPACE(rights * sizeof(int));
    if (want_creds) b.len += CMSG_SPACE(sizeof(ucred));
  }
  b.words.resize((b.len + 7) / 8);
  return b;
}

// Reads every control message of `msg` into `o`: SCM_RIGHTS fds are bound
// to the op's result names in order (one the case does not name is closed
// but still counted in o.rights, so the judge fails the step),
// SCM_CREDENTIALS fills o.cred, an SCM_PIDFD's fd is closed; each message
// is listed in o.cmsgs, unknown ones too.
void ReadControl(const Op& op, msghdr& msg, SyscallEnv& env, Observation& o) {
  size_t next_result = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;
    const size_t payload = c->cmsg_len - CMSG_LEN(0);
    Observation::ControlMessage seen;
    seen.level = c->cmsg_level;
    seen.type = c->cmsg_type;
    const bool sol = c->cmsg_level == SOL_SOCKET;
    if (sol && c->cmsg_type == SCM_RIGHTS) {
      for (size_t i = 0; i < payload / sizeof(int); ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        o.rights.push_back(IdOf(fd));
        BindResult(op, next_result++, fd, env, o);
      }
    } else if (sol && c->cmsg_type == kScmPidfd && payload >= sizeof(int)) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      close(fd);  // a pidfd: stated as cmsg(SOL_SOCKET, SCM_PIDFD)
    } else {
      seen.data.assign(reinterpret_cast<const char*>(CMSG_DATA(c)), payload);
      if (sol && c->cmsg_type == SCM_CREDENTIALS && payload >= sizeof(ucred)) {
        ucred u;
        memcpy(&u, CMSG_DATA(c), sizeof u);
        o.cred = Cred{u.pid, u.uid, u.gid};
      }
    }
    o.cmsgs.push_back(std::move(seen));
  }
}

Observation Recvmsg(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  RecvIovecs in({IntArg(op, 0)}, kMaxBuffer);
  ControlBuffer control = RecvControl(op);

  msghdr msg = {};
  sockaddr_storage from;
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = in.iov.data();
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.len;
  ssize_t r = recvmsg(s, &msg, IntArg(op, 1));
  if (r < 0) return Errno(errno);

  Observation o = Returned(r);
  o.data = in.Gathered(static_cast<size_t>(r));
  o.msg_flags = msg.msg_flags;
  o.addr = std::string(reinterpret_cast<const char*>(&from),
                       std::min<size_t>(msg.msg_namelen, sizeof from));
  if (!control.null) ReadControl(op, msg, env, o);
  return o;
}

int64_t PidOf(const CredSpec& c, const SyscallEnv& env) {
  if (c.pid) return *c.pid;
  if (c.pid_of >= 0 && static_cast<size_t>(c.pid_of) < env.peer_pids.size()) {
    return env.peer_pids[c.pid_of];
  }
  return env.harness_pid ? env.harness_pid : getpid();
}

Observation Sendmsg(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  Observation o;
  std::vector<int> passed;
  for (int slot : op.rights) {
    auto it = env.fds.find(slot);
    if (it == env.fds.end()) {
      return HarnessError(absl::StrCat("fd slot ", slot,
                                       " to pass is not held by this process"));
    }
    passed.push_back(it->second);
    o.ids.emplace_back(slot, IdOf(it->second));
  }
  // `rights()` sends an SCM_RIGHTS message with no fds in it.
  const bool empty_rights = passed.empty() && IntArg(op, 1) == 1;
  size_t control_len = 0;
  if (!passed.empty() || empty_rights) {
    control_len += CMSG_SPACE(passed.size() * sizeof(int));
  }
  if (op.creds) control_len += CMSG_SPACE(sizeof(ucred));
  std::vector<uint64_t> control((control_len + 7) / 8);

  iovec iov = {const_cast<char*>(op.data.data()), op.data.size()};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_len ? control.data() : nullptr;
  msg.msg_controllen = control_len;
  if (control_len) {
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!passed.empty() || empty_rights) {
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(passed.size() * sizeof(int));
      // An empty SCM_RIGHTS (no fds) copies nothing: passed.data() may be null.
      if (!passed.empty()) memcpy(CMSG_DATA(c), passed.data(), passed.size() * sizeof(int));
      c = CMSG_NXTHDR(&msg, c);
    }
    if (op.creds) {
      ucred u;
      u.pid = PidOf(*op.creds, env);
      u.uid = op.creds->uid ? *op.creds->uid : getuid();
      u.gid = op.creds->gid ? *op.creds->gid : getgid();
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_CREDENTIALS;
      c->cmsg_len = CMSG_LEN(sizeof u);
      memcpy(CMSG_DATA(c), &u, sizeof u);
    }
  }
  ssize_t r = sendmsg(s, &msg, IntArg(op, 0));
  if (r < 0) {
    Observation e = Errno(errno);
    e.ids = o.ids;
    return e;
  }
  o.ret = r;
  return o;
}

}  // namespace

void RegisterMsgCalls(Handler* t) {
  t[static_cast<int>(Call::kRecvmsg)] = Recvmsg;
  t[static_cast<int>(Call::kSendmsg)] = Sendmsg;
  RegisterVectorCalls(t);
}

}  // namespace internal
}  // namespace sockspec
