#include "harness/os/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "harness/os/uapi_socket.h"


// Control message types Debian 12's headers (6.1) lack: SCM_SECURITY (kernel
// include/linux/socket.h), SCM_PIDFD (Linux 6.5, same file) and SCM_INQ
// (SO_INQ, Linux 6.18, include/uapi/asm-generic/socket.h).
#ifndef SCM_SECURITY
#define SCM_SECURITY 3
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 4
#endif
#ifndef SO_INQ
#define SO_INQ 84
#endif
#ifndef SCM_INQ
#define SCM_INQ SO_INQ
#endif

namespace sockspec {

const std::vector<Symbol>& AllSymbols() {
#define S(name, kind) {#name, static_cast<int64_t>(name), SymbolKind::kind},
  // One symbol a line, in the order lookups rely on (names before aliases).
  // clang-format off
  static std::vector<Symbol>* const kSymbols = new std::vector<Symbol>{
      // address families
      S(AF_UNIX, kDomain)
      S(AF_INET, kDomain)
      S(AF_INET6, kDomain)
      S(AF_UNSPEC, kDomain)
      S(AF_NETLINK, kDomain)
      S(AF_PACKET, kDomain)
      S(AF_MAX, kDomain)
      S(AF_LOCAL, kDomain)
      // socket types
      S(SOCK_STREAM, kSockType)
      S(SOCK_DGRAM, kSockType)
      S(SOCK_SEQPACKET, kSockType)
      S(SOCK_RAW, kSockType)
      S(SOCK_RDM, kSockType)
      // socket type flags
      S(SOCK_NONBLOCK, kSockFlag)
      S(SOCK_CLOEXEC, kSockFlag)
      // message flags
      S(MSG_OOB, kMsgFlag)
      S(MSG_PEEK, kMsgFlag)
      S(MSG_DONTROUTE, kMsgFlag)
      S(MSG_CTRUNC, kMsgFlag)
      S(MSG_TRUNC, kMsgFlag)
      S(MSG_DONTWAIT, kMsgFlag)
      S(MSG_EOR, kMsgFlag)
      S(MSG_WAITALL, kMsgFlag)
      S(MSG_CONFIRM, kMsgFlag)
      S(MSG_ERRQUEUE, kMsgFlag)
      S(MSG_NOSIGNAL, kMsgFlag)
      S(MSG_MORE, kMsgFlag)
      S(MSG_CMSG_CLOEXEC, kMsgFlag)
      // control message types (cmsg_type at SOL_SOCKET)
      S(SCM_RIGHTS, kCmsgType)
      S(SCM_CREDENTIALS, kCmsgType)
      S(SCM_SECURITY, kCmsgType)
      S(SCM_PIDFD, kCmsgType)
      S(SCM_INQ, kCmsgType)
      // option levels
      S(SOL_SOCKET, kLevel)
      // socket options
      S(SO_DEBUG, kSockOpt)
      S(SO_REUSEADDR, kSockOpt)
      S(SO_TYPE, kSockOpt)
      S(SO_ERROR, kSockOpt)
      S(SO_DONTROUTE, kSockOpt)
      S(SO_BROADCAST, kSockOpt)
      S(SO_SNDBUF, kSockOpt)
      S(SO_RCVBUF, kSockOpt)
      S(SO_SNDBUFFORCE, kSockOpt)
      S(SO_RCVBUFFORCE, kSockOpt)
      S(SO_KEEPALIVE, kSockOpt)
      S(SO_OOBINLINE, kSockOpt)
      S(SO_LINGER, kSockOpt)
      S(SO_REUSEPORT, kSockOpt)
      S(SO_PASSCRED, kSockOpt)
      S(SO_PEERCRED, kSockOpt)
      S(SO_PASSPIDFD, kSockOpt)
      S(SO_INQ, kSockOpt)
      S(SO_RCVLOWAT, kSockOpt)
      S(SO_SNDLOWAT, kSockOpt)
      S(SO_RCVTIMEO, kSockOpt)
      S(SO_SNDTIMEO, kSockOpt)
      S(SO_ACCEPTCONN, kSockOpt)
      S(SO_DOMAIN, kSockOpt)
      S(SO_PROTOCOL, kSockOpt)
      S(SO_PEEK_OFF, kSockOpt)
      S(SO_PASSSEC, kSockOpt)
      S(SO_PEERSEC, kSockOpt)
      // shutdown modes
      S(SHUT_RD, kShutHow)
      S(SHUT_WR, kShutHow)
      S(SHUT_RDWR, kShutHow)
      // poll events
      S(POLLIN, kPollEvent)
      S(POLLPRI, kPollEvent)
      S(POLLOUT, kPollEvent)
      S(POLLERR, kPollEvent)
      S(POLLHUP, kPollEvent)
      S(POLLNVAL, kPollEvent)
      S(POLLRDNORM, kPollEvent)
      S(POLLRDBAND, kPollEvent)
      S(POLLWRNORM, kPollEvent)
      S(POLLWRBAND, kPollEvent)
      S(POLLRDHUP, kPollEvent)
      // fcntl commands
      S(F_GETFL, kFcntlCmd)
      S(F_SETFL, kFcntlCmd)
      S(F_GETFD, kFcntlCmd)
      S(F_SETFD, kFcntlCmd)
      S(F_DUPFD, kFcntlCmd)
      S(F_DUPFD_CLOEXEC, kFcntlCmd)
      S(F_SETOWN, kFcntlCmd)
      S(F_GETOWN, kFcntlCmd)
      S(F_SETSIG, kFcntlCmd)
      S(F_GETSIG, kFcntlCmd)
      // file status flags (F_GETFL shows the access mode too: O_RDWR)
      S(O_RDWR, kFileFlag)
      S(O_WRONLY, kFileFlag)
      S(O_NONBLOCK, kFileFlag)
      S(O_ASYNC, kFileFlag)
      S(O_APPEND, kFileFlag)
      S(O_RDONLY, kFileFlag)
      // fd flags
      S(FD_CLOEXEC, kFdFlag)
      // ioctls
      S(SIOCINQ, kIoctl)
      S(SIOCOUTQ, kIoctl)
      S(SIOCATMARK, kIoctl)
      S(FIONBIO, kIoctl)
      S(FIOASYNC, kIoctl)
      S(FIOSETOWN, kIoctl)
      S(SIOCSPGRP, kIoctl)
      S(FIOGETOWN, kIoctl)
      S(SIOCGPGRP, kIoctl)
      S(FIONREAD, kIoctl)  // = SIOCINQ, its alias
      // epoll
      S(EPOLL_CLOEXEC, kEpollFlag)
      S(EPOLL_CTL_ADD, kEpollCtl)
      S(EPOLL_CTL_DEL, kEpollCtl)
      S(EPOLL_CTL_MOD, kEpollCtl)
      S(EPOLLIN, kEpollEvent)
      S(EPOLLPRI, kEpollEvent)
      S(EPOLLOUT, kEpollEvent)
      S(EPOLLERR, kEpollEvent)
      S(EPOLLHUP, kEpollEvent)
      S(EPOLLRDNORM, kEpollEvent)
      S(EPOLLRDBAND, kEpollEvent)
      S(EPOLLWRNORM, kEpollEvent)
      S(EPOLLWRBAND, kEpollEvent)
      S(EPOLLMSG, kEpollEvent)
      S(EPOLLRDHUP, kEpollEvent)
      S(EPOLLEXCLUSIVE, kEpollEvent)
      S(EPOLLWAKEUP, kEpollEvent)
      S(EPOLLONESHOT, kEpollEvent)
      S(EPOLLET, kEpollEvent)
      // errnos: names before their aliases (EAGAIN before EWOULDBLOCK)
      S(EPERM, kErrno)
      S(ENOENT, kErrno)
      S(ESRCH, kErrno)
      S(EINTR, kErrno)
      S(EIO, kErrno)
      S(ENXIO, kErrno)
      S(E2BIG, kErrno)
      S(ENOEXEC, kErrno)
      S(EBADF, kErrno)
      S(ECHILD, kErrno)
      S(EAGAIN, kErrno)
      S(ENOMEM, kErrno)
      S(EACCES, kErrno)
      S(EFAULT, kErrno)
      S(ENOTBLK, kErrno)
      S(EBUSY, kErrno)
      S(EEXIST, kErrno)
      S(EXDEV, kErrno)
      S(ENODEV, kErrno)
      S(ENOTDIR, kErrno)
      S(EISDIR, kErrno)
      S(EINVAL, kErrno)
      S(ENFILE, kErrno)
      S(EMFILE, kErrno)
      S(ENOTTY, kErrno)
      S(ETXTBSY, kErrno)
      S(EFBIG, kErrno)
      S(ENOSPC, kErrno)
      S(ESPIPE, kErrno)
      S(EROFS, kErrno)
      S(EMLINK, kErrno)
      S(EPIPE, kErrno)
      S(EDOM, kErrno)
      S(ERANGE, kErrno)
      S(EDEADLK, kErrno)
      S(ENAMETOOLONG, kErrno)
      S(ENOLCK, kErrno)
      S(ENOSYS, kErrno)
      S(ENOTEMPTY, kErrno)
      S(ELOOP, kErrno)
      S(ENOMSG, kErrno)
      S(EIDRM, kErrno)
      S(ECHRNG, kErrno)
      S(EL2NSYNC, kErrno)
      S(EL3HLT, kErrno)
      S(EL3RST, kErrno)
      S(ELNRNG, kErrno)
      S(EUNATCH, kErrno)
      S(ENOCSI, kErrno)
      S(EL2HLT, kErrno)
      S(EBADE, kErrno)
      S(EBADR, kErrno)
      S(EXFULL, kErrno)
      S(ENOANO, kErrno)
      S(EBADRQC, kErrno)
      S(EBADSLT, kErrno)
      S(EBFONT, kErrno)
      S(ENOSTR, kErrno)
      S(ENODATA, kErrno)
      S(ETIME, kErrno)
      S(ENOSR, kErrno)
      S(ENONET, kErrno)
      S(ENOPKG, kErrno)
      S(EREMOTE, kErrno)
      S(ENOLINK, kErrno)
      S(EADV, kErrno)
      S(ESRMNT, kErrno)
      S(ECOMM, kErrno)
      S(EPROTO, kErrno)
      S(EMULTIHOP, kErrno)
      S(EDOTDOT, kErrno)
      S(EBADMSG, kErrno)
      S(EOVERFLOW, kErrno)
      S(ENOTUNIQ, kErrno)
      S(EBADFD, kErrno)
      S(EREMCHG, kErrno)
      S(ELIBACC, kErrno)
      S(ELIBBAD, kErrno)
      S(ELIBSCN, kErrno)
      S(ELIBMAX, kErrno)
      S(ELIBEXEC, kErrno)
      S(EILSEQ, kErrno)
      S(ERESTART, kErrno)
      S(ESTRPIPE, kErrno)
      S(EUSERS, kErrno)
      S(ENOTSOCK, kErrno)
      S(EDESTADDRREQ, kErrno)
      S(EMSGSIZE, kErrno)
      S(EPROTOTYPE, kErrno)
      S(ENOPROTOOPT, kErrno)
      S(EPROTONOSUPPORT, kErrno)
      S(ESOCKTNOSUPPORT, kErrno)
      S(EOPNOTSUPP, kErrno)
      S(EPFNOSUPPORT, kErrno)
      S(EAFNOSUPPORT, kErrno)
      S(EADDRINUSE, kErrno)
      S(EADDRNOTAVAIL, kErrno)
      S(ENETDOWN, kErrno)
      S(ENETUNREACH, kErrno)
      S(ENETRESET, kErrno)
      S(ECONNABORTED, kErrno)
      S(ECONNRESET, kErrno)
      S(ENOBUFS, kErrno)
      S(EISCONN, kErrno)
      S(ENOTCONN, kErrno)
      S(ESHUTDOWN, kErrno)
      S(ETOOMANYREFS, kErrno)
      S(ETIMEDOUT, kErrno)
      S(ECONNREFUSED, kErrno)
      S(EHOSTDOWN, kErrno)
      S(EHOSTUNREACH, kErrno)
      S(EALREADY, kErrno)
      S(EINPROGRESS, kErrno)
      S(ESTALE, kErrno)
      S(EUCLEAN, kErrno)
      S(ENOTNAM, kErrno)
      S(ENAVAIL, kErrno)
      S(EISNAM, kErrno)
      S(EREMOTEIO, kErrno)
      S(EDQUOT, kErrno)
      S(ENOMEDIUM, kErrno)
      S(EMEDIUMTYPE, kErrno)
      S(ECANCELED, kErrno)
      S(ENOKEY, kErrno)
      S(EKEYEXPIRED, kErrno)
      S(EKEYREVOKED, kErrno)
      S(EKEYREJECTED, kErrno)
      S(EOWNERDEAD, kErrno)
      S(ENOTRECOVERABLE, kErrno)
      S(ERFKILL, kErrno)
      S(EWOULDBLOCK, kErrno)
      S(ENOTSUP, kErrno)
      S(EDEADLOCK, kErrno)
      // signals
      S(SIGHUP, kSignal)
      S(SIGINT, kSignal)
      S(SIGQUIT, kSignal)
      S(SIGILL, kSignal)
      S(SIGTRAP, kSignal)
      S(SIGABRT, kSignal)
      S(SIGBUS, kSignal)
      S(SIGFPE, kSignal)
      S(SIGKILL, kSignal)
      S(SIGUSR1, kSignal)
      S(SIGSEGV, kSignal)
      S(SIGUSR2, kSignal)
      S(SIGPIPE, kSignal)
      S(SIGALRM, kSignal)
      S(SIGTERM, kSignal)
      S(SIGSTKFLT, kSignal)
      S(SIGCHLD, kSignal)
      S(SIGCONT, kSignal)
      S(SIGSTOP, kSignal)
      S(SIGTSTP, kSignal)
      S(SIGTTIN, kSignal)
      S(SIGTTOU, kSignal)
      S(SIGURG, kSignal)
      S(SIGXCPU, kSignal)
      S(SIGXFSZ, kSignal)
      S(SIGVTALRM, kSignal)
      S(SIGPROF, kSignal)
      S(SIGWINCH, kSignal)
      S(SIGIO, kSignal)
      S(SIGPWR, kSignal)
      S(SIGSYS, kSignal)
      S(SIGIOT, kSignal)
      S(SIGPOLL, kSignal)
      // sigaction: the flags of the recording handler, or a disposition
      S(SA_RESTART, kSigAction)
      S(SA_RESETHAND, kSigAction)
      S(SA_NODEFER, kSigAction)
      {"SIG_DFL", kSigDispositionDefault, SymbolKind::kSigAction},
      {"SIG_IGN", kSigDispositionIgnore, SymbolKind::kSigAction},
      // setrlimit resources
      S(RLIMIT_NOFILE, kRlimit)
      // unshare flags
      S(CLONE_NEWNET, kCloneFlag)
      S(CLONE_NEWUSER, kCloneFlag)
  };
  // clang-format on
#undef S
  static const bool kAppended = [] {
    const std::vector<Symbol>& more = SocketConstantSymbols();
    kSymbols->insert(kSymbols->end(), more.begin(), more.end());
    return true;
  }();
  (void)kAppended;
  return *kSymbols;
}

const Symbol* FindSymbol(std::string_view name) {
  for (const Symbol& s : AllSymbols()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<int64_t> LookupSymbol(std::string_view name, SymbolKind kind) {
  for (const Symbol& s : AllSymbols()) {
    if (s.kind == kind && s.name == name) return s.value;
  }
  return std::nullopt;
}

std::string_view SymbolName(SymbolKind kind, int64_t value) {
  for (const Symbol& s : AllSymbols()) {
    if (s.kind == kind && s.value == value) return s.name;
  }
  return "";
}

std::string FlagsToText(SymbolKind kind, int64_t value) {
  if (value == 0) return "0";
  std::string out;
  int64_t left = value;
  for (const Symbol& s : AllSymbols()) {
    if (s.kind != kind || s.value == 0) continue;
    if ((left & s.value) == s.value) {
      if (!out.empty()) out += "|";
      out += std::string(s.name);
      left &= ~s.value;
    }
  }
  if (left != 0) {
    if (!out.empty()) out += "|";
    out += absl::StrFormat("0x%x", static_cast<uint64_t>(left));
  }
  return out;
}

std::string_view SymbolKindName(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kDomain:
      return "address family";
    case SymbolKind::kSockType:
      return "socket type";
    case SymbolKind::kSockFlag:
      return "socket flag";
    case SymbolKind::kMsgFlag:
      return "message flag";
    case SymbolKind::kLevel:
      return "socket option level";
    case SymbolKind::kSockOpt:
      return "socket option";
    case SymbolKind::kProtocol:
      return "protocol";
    case SymbolKind::kCmsgType:
      return "control message type";
    case SymbolKind::kTcpOption:
      return "TCP option";
    case SymbolKind::kUdpOption:
      return "UDP option";
    case SymbolKind::kIpOption:
      return "IP option";
    case SymbolKind::kIpv6Option:
      return "IPv6 option";
    case SymbolKind::kShutHow:
      return "shutdown mode";
    case SymbolKind::kPollEvent:
      return "poll event";
    case SymbolKind::kFcntlCmd:
      return "fcntl command";
    case SymbolKind::kFileFlag:
      return "file status flag";
    case SymbolKind::kFdFlag:
      return "fd flag";
    case SymbolKind::kIoctl:
      return "ioctl request";
    case SymbolKind::kEpollFlag:
      return "epoll_create1 flag";
    case SymbolKind::kEpollCtl:
      return "epoll_ctl operation";
    case SymbolKind::kEpollEvent:
      return "epoll event";
    case SymbolKind::kErrno:
      return "errno";
    case SymbolKind::kSignal:
      return "signal";
    case SymbolKind::kSigAction:
      return "sigaction flag or disposition";
    case SymbolKind::kRlimit:
      return "resource limit";
    case SymbolKind::kCloneFlag:
      return "namespace flag";
  }
  return "symbol";
}

namespace {

// Edit distance with adjacent transpositions (EPIEP is one edit from
// EPIPE), giving up (returning limit + 1) for long inputs so a fuzzed
// megabyte identifier costs nothing.
size_t EditDistance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > 64 || b.size() > 64 || a.size() > b.size() + limit ||
      b.size() > a.size() + limit) {
    return limit + 1;
  }
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string ClosestName(std::string_view name,
                        const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, name.size() / 3);
  size_t best = limit + 1;
  std::string out;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c, limit);
    if (d < best && d > 0) {
      best = d;
      out = c;
    }
  }
  return out;
}

std::string ClosestSymbol(std::string_view name,
                          const std::vector<SymbolKind>& kinds) {
  std::vector<std::string> names;
  for (const Symbol& s : AllSymbols()) {
    if (std::find(kinds.begin(), kinds.end(), s.kind) != kinds.end()) {
      names.emplace_back(s.name);
    }
  }
  return ClosestName(name, names);
}

}  // namespace sockspec
