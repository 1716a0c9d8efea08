// recvmsg and sendmsg, with SCM_RIGHTS and SCM_CREDENTIALS ancillary data.
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

Observation Recvmsg(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string buf(std::clamp<int64_t>(IntArg(op, 0), 0, kMaxBuffer), '\0');
  const int64_t rights = std::min(IntArg(op, 2, -1), kMaxRights);
  const bool want_creds = IntArg(op, 3) == 1;
  size_t control_len = 0;
  if (rights >= 0) control_len += CMSG_SPACE(rights * sizeof(int));
  if (want_creds) control_len += CMSG_SPACE(sizeof(ucred));
  // cmsghdr needs alignment: back the buffer with 8-byte words.
  std::vector<uint64_t> control((control_len + 7) / 8);

  iovec iov = {buf.data(), buf.size()};
  msghdr msg = {};
  sockaddr_storage from;
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_len ? control.data() : nullptr;
  msg.msg_controllen = control_len;
  ssize_t r = recvmsg(s, &msg, IntArg(op, 1));
  if (r < 0) return Errno(errno);

  Observation o;
  o.ret = r;
  o.data = buf.substr(0, std::min<size_t>(r, buf.size()));
  o.msg_flags = msg.msg_flags;
  o.addr = std::string(reinterpret_cast<const char*>(&from),
                       std::min<size_t>(msg.msg_namelen, sizeof from));
  size_t next_result = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        o.rights.push_back(IdOf(fd));
        BindResult(op, next_result++, fd, env, o);
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS &&
               c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred u;
      memcpy(&u, CMSG_DATA(c), sizeof u);
      o.cred = Cred{u.pid, u.uid, u.gid};
    }
  }
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
  size_t control_len = 0;
  if (!passed.empty()) control_len += CMSG_SPACE(passed.size() * sizeof(int));
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
    if (!passed.empty()) {
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(passed.size() * sizeof(int));
      memcpy(CMSG_DATA(c), passed.data(), passed.size() * sizeof(int));
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
}

}  // namespace internal
}  // namespace sockspec
