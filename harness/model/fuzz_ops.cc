#include "harness/model/fuzz_ops.h"

#include <poll.h>
#include <signal.h>
#include <linux/sockios.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/model/fuzz_sockets.h"
#include "harness/model/world.h"
#include "harness/os/fd.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::FillPattern;
using model::IoCall;
using model::World;
using model::ModelLimits;
using model::ModelOp;
using model::Observed;
using model::OpKind;
using model::SockType;
using model::SockTypeName;
using model::SockTypeValue;
using model::kPollEvents;
}  // namespace

void CorruptObserved(Corruption c, const ModelOp& op, Observed& obs,
                     uint8_t* rbuf, bool& done) {
  if (done || c == Corruption::kNone) return;
  if (c == Corruption::kWrongValue) {
    if (op.kind == OpKind::kGetError) {
      obs.value = obs.value == 0 ? ECONNRESET : 0;
      done = true;
    } else if (op.kind == OpKind::kInq || op.kind == OpKind::kGetOpt) {
      ++obs.value;
      done = true;
    } else if ((op.kind == OpKind::kGetName || op.kind == OpKind::kRecvFrom) &&
               obs.ret >= 0) {
      obs.value = obs.value == model::kUnnamed ? 0 : model::kUnnamed;
      done = true;
    }
    return;
  }
  if (c == Corruption::kWrongMark) {
    if (op.kind == OpKind::kAtMark && obs.ret == 0) {
      obs.value = obs.value == 0 ? 1 : 0;
      done = true;
    }
    return;
  }
  if (c == Corruption::kWrongFd) {
    if (op.kind != OpKind::kRead || obs.ret < 0) return;
    if (obs.nfds > 0) {
      obs.fd_tokens[0] = static_cast<uint8_t>((obs.fd_tokens[0] + 1) % model::kFdTokens);
      done = true;
    } else if (obs.creds != model::Creds::kNone) {
      obs.creds = obs.creds == model::Creds::kSelf ? model::Creds::kNobody
                                                   : model::Creds::kSelf;
      done = true;
    }
    return;
  }
  const size_t n = obs.data.size();
  if (c == Corruption::kDropByte && n >= 1) {
    const size_t k = n / 2;
    memmove(rbuf + k, rbuf + k + 1, n - k - 1);
    obs.data = absl::MakeConstSpan(rbuf, n - 1);
    --obs.ret;
    done = true;
  } else if (c == Corruption::kSwapBytes && n >= 2) {
    std::swap(rbuf[n / 2 - 1], rbuf[n / 2]);
    done = true;
  } else if (c == Corruption::kWrongErrno && obs.ret < 0) {
    obs.err = obs.err == EAGAIN ? ECONNRESET : EAGAIN;
    done = true;
  }
}

absl::StatusOr<Corruption> CorruptionFromEnv() {
  const char* v = getenv("SOCKSPEC_CORRUPT");
  if (v == nullptr || *v == '\0') return Corruption::kNone;
  const std::string s = v;
  if (s == "drop-byte") return Corruption::kDropByte;
  if (s == "swap-bytes") return Corruption::kSwapBytes;
  if (s == "wrong-errno") return Corruption::kWrongErrno;
  if (s == "wrong-value") return Corruption::kWrongValue;
  if (s == "wrong-fd") return Corruption::kWrongFd;
  if (s == "wrong-mark") return Corruption::kWrongMark;
  return absl::InvalidArgumentError(absl::StrCat(
      "SOCKSPEC_CORRUPT=", s,
      ": expected drop-byte, swap-bytes, wrong-errno, wrong-value, "
      "wrong-fd or wrong-mark"));
}

void BlockSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

// Takes a pending SIGPIPE, if any; true if there was one.
SOCKSPEC_NO_COVERAGE
bool TakeSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  const struct timespec zero = {0, 0};
  return sigtimedwait(&set, nullptr, &zero) == SIGPIPE;
}

// The control messages of a received msghdr into `obs`: each fd identified
// and closed, the credentials classified.
SOCKSPEC_NO_COVERAGE
void TakeControl(struct msghdr& msg, Observed& obs) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    const size_t len = c->cmsg_len >= CMSG_LEN(0) ? c->cmsg_len - CMSG_LEN(0) : 0;
    if (c->cmsg_type == SCM_RIGHTS) {
      for (size_t i = 0; i + sizeof(int) <= len; i += sizeof(int)) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i, sizeof fd);
        if (obs.nfds < model::kMaxRights) {
          obs.fd_tokens[obs.nfds] =
              static_cast<uint8_t>(FdTokens::Get().Identify(fd));
        }
        ++obs.nfds;
        close(fd);
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      obs.creds_len = static_cast<int>(len);
      struct ucred u;
      if (len < sizeof u) {
        obs.creds = model::Creds::kCut;
        continue;
      }
      memcpy(&u, CMSG_DATA(c), sizeof u);
      static const pid_t self = getpid();
      if (u.pid == self && u.uid == getuid() && u.gid == getgid()) {
        obs.creds = model::Creds::kSelf;
      } else if (u.pid == 0 && u.uid == 65534 && u.gid == 65534) {
        obs.creds = model::Creds::kNobody;
      } else if (u.pid == 0 && u.uid == 0 && u.gid == 0) {
        obs.creds = model::Creds::kZero;
      } else {
        obs.creds = model::Creds::kOther;
      }
    }
  }
}

}  // namespace

FdTokens::FdTokens() {
  for (int i = 0; i < model::kFdTokens; ++i) {
    int p[2] = {-1, -1};
    if (pipe2(p, O_CLOEXEC) != 0) {
      fprintf(stderr, "%s\n", ErrnoStatus("pipe2()", errno).ToString().c_str());
      abort();
    }
    close(p[1]);
    fds_[i] = p[0];
    struct stat st;
    fstat(p[0], &st);
    inodes_[i] = st.st_ino;
  }
}

const FdTokens& FdTokens::Get() {
  static const FdTokens* tokens = new FdTokens();
  return *tokens;
}

SOCKSPEC_NO_COVERAGE
int FdTokens::Identify(int fd) const {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return model::kFdTokens;
  for (int i = 0; i < model::kFdTokens; ++i) {
    if (inodes_[i] == st.st_ino) return i;
  }
  return model::kFdTokens;
}

SOCKSPEC_NO_COVERAGE
Observed ExecuteOp(const ModelOp& op, int fd, const uint8_t* wdata,
                   uint8_t* rbuf, uint64_t write_offset) {
  Observed obs;
  switch (op.kind) {
    case OpKind::kWrite: {
      if (op.rights > 0) {
        struct iovec iov = {const_cast<uint8_t*>(wdata), op.size};
        alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * model::kMaxRights)];
        struct msghdr msg = {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * op.rights);
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * op.rights);
        for (int i = 0; i < op.rights; ++i) {
          const int token = FdTokens::Get().fd(model::RightsToken(write_offset, i));
          memcpy(CMSG_DATA(c) + i * sizeof(int), &token, sizeof token);
        }
        obs.ret = sendmsg(fd, &msg, op.flags);
      } else if (op.call == IoCall::kSend) {
        obs.ret = send(fd, wdata, op.size, op.flags);
      } else if (op.call == IoCall::kPlain) {
        obs.ret = write(fd, wdata, op.size);
      } else {
        struct iovec iov = {const_cast<uint8_t*>(wdata), op.size};
        struct msghdr msg = {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        obs.ret = sendmsg(fd, &msg, op.flags);
      }
      if (obs.ret < 0) {
        obs.err = errno;
        obs.sigpipe = TakeSigpipe();
      }
      break;
    }
    case OpKind::kRead: {
      if (op.call == IoCall::kSend) {
        obs.ret = recv(fd, rbuf, op.size, op.flags);
      } else if (op.call == IoCall::kPlain) {
        obs.ret = read(fd, rbuf, op.size);
      } else {
        struct iovec iov = {rbuf, op.size};
        alignas(struct cmsghdr) char control[256];
        struct msghdr msg = {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (op.control > 0) {
          msg.msg_control = control;
          msg.msg_controllen = std::min<size_t>(op.control, sizeof control);
        }
        obs.ret = recvmsg(fd, &msg, op.flags);
        if (obs.ret >= 0) {
          obs.msg_flags = msg.msg_flags;
          if (op.control > 0) TakeControl(msg, obs);
        }
      }
      if (obs.ret < 0) {
        obs.err = errno;
      } else {
        obs.data = absl::MakeConstSpan(
            rbuf, std::min(static_cast<size_t>(obs.ret), op.size));
      }
      break;
    }
    case OpKind::kShutdown:
      obs.ret = shutdown(fd, op.how);
      break;
    case OpKind::kClose:
      obs.ret = close(fd);
      break;
    case OpKind::kSetSndbuf: {
      obs.ret = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &op.value,
                           sizeof op.value);
      socklen_t len = sizeof obs.sndbuf;
      if (obs.ret == 0 &&
          getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &obs.sndbuf, &len) != 0) {
        obs.ret = -1;
      }
      break;
    }
    case OpKind::kPoll: {
      struct pollfd p = {fd, kPollEvents, 0};
      obs.ret = poll(&p, 1, 0);
      obs.revents = p.revents;
      break;
    }
    case OpKind::kGetError: {
      socklen_t len = sizeof obs.value;
      obs.ret = getsockopt(fd, SOL_SOCKET, SO_ERROR, &obs.value, &len);
      break;
    }
    case OpKind::kInq:
      obs.ret = ioctl(fd, SIOCINQ, &obs.value);
      break;
    case OpKind::kSetPasscred:
      obs.ret = setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &op.value,
                           sizeof op.value);
      break;
    case OpKind::kSetPeekOff:
      obs.ret = setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &op.value,
                           sizeof op.value);
      break;
    case OpKind::kEpoll: {
      const int ep = epoll_create1(EPOLL_CLOEXEC);
      if (ep < 0) {
        obs.ret = -1;
        break;
      }
      struct epoll_event ev = {};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
      struct epoll_event got = {};
      obs.ret = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      if (obs.ret == 0) obs.ret = epoll_wait(ep, &got, 1, 0);
      if (obs.ret < 0) obs.err = errno;
      obs.revents = static_cast<short>(got.events);
      close(ep);
      break;
    }
    case OpKind::kGetOpt: {
      socklen_t len = sizeof obs.value;
      obs.ret = getsockopt(fd, SOL_SOCKET,
                           model::SockOptValue(static_cast<model::SockOpt>(op.value)),
                           &obs.value, &len);
      break;
    }
    case OpKind::kAtMark:
      obs.ret = ioctl(fd, SIOCATMARK, &obs.value);
      break;
    case OpKind::kSetOobInline:
      obs.ret = setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &op.value,
                           sizeof op.value);
      break;
    SOCKSPEC_WORLD_OP_CASES:
    case OpKind::kEpollEt:  // its epoll set lives as long as the end
      // They need the names and the socket table: FuzzSockets::Execute.
      obs.ret = -1;
      obs.err = EINVAL;
      break;
  }
  if (obs.ret < 0 && obs.err == 0) obs.err = errno;
  return obs;
}

OpsRunner::OpsRunner(ModelLimits limits)
    : limits_(limits), wbuf_(kMaxOpSize), rbuf_(kMaxOpSize) {}

OpsRunner::~OpsRunner() = default;

absl::Status OpsRunner::Run(const OpsProgram& program, Corruption corruption) {
  if (sockets_ == nullptr) {
    absl::StatusOr<std::unique_ptr<FuzzSockets>> s = FuzzSockets::Create();
    if (!s.ok()) return s.status();
    sockets_ = *std::move(s);
  }
  if (absl::Status s = sockets_->Start(program.type); !s.ok()) return s;
  World world(program.type, limits_);
  results_.clear();
  bool corrupted = false;
  absl::Status verdict;
  size_t step = 0;
  for (; step < program.ops.size(); ++step) {
    const ModelOp& op = program.ops[step];
    // The stream offset of a write's first byte: its pattern, and the
    // tokens of the fds it passes (model_types.h RightsToken).
    uint64_t offset = 0;
    if (op.kind == OpKind::kWrite || op.kind == OpKind::kSendTo) {
      int writer = 0;
      world.NextWrite(op.end, writer, offset);
      FillPattern(writer, offset, wbuf_.data(), op.size);
    }
    Observed obs = sockets_->Execute(op, wbuf_.data(), rbuf_.data(), offset);
    CorruptObserved(corruption, op, obs, rbuf_.data(), corrupted);
    ++ops_run_;
    verdict = world.Check(op, obs);
    obs.data = {};
    results_.push_back(obs);
    if (!verdict.ok()) break;
  }
  if (verdict.ok() && TakeSigpipe()) {
    verdict = absl::FailedPreconditionError(
        "a SIGPIPE is pending that no failed write raised");
    step = program.ops.size() - 1;
  }
  if (verdict.ok()) return verdict;
  std::string trace = absl::StrFormat(
      "ops_fuzzer: %s socketpair (non-blocking), divergence at step %d of "
      "%d:\n",
      SockTypeName(program.type), step + 1, program.ops.size());
  for (size_t i = 0; i < program.ops.size(); ++i) {
    const ModelOp& op = program.ops[i];
    absl::StrAppendFormat(&trace, "%s %3d. %s", i == step ? ">" : " ", i + 1,
                          op.ToString());
    if (i < results_.size()) {
      absl::StrAppend(&trace, " = ", results_[i].ToString(op), "\n");
    } else {
      absl::StrAppend(&trace, "  (not run)\n");
    }
    if (i == step) absl::StrAppend(&trace, "       ", verdict.message(), "\n");
  }
  return absl::FailedPreconditionError(trace);
}

}  // namespace sockspec
