#include "harness/os/sockopts.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/os/fd.h"
#include "harness/os/uapi_socket.h"

namespace sockspec {
namespace {

using Shape = OptionShape;

// Every option whose value is not a plain int.
const std::vector<OptionInfo>& Table() {
  static const std::vector<OptionInfo>* const kTable = new std::vector<OptionInfo>{
      {SOL_SOCKET, SO_TYPE, Shape::kSymbol, SymbolKind::kSockType},
      {SOL_SOCKET, SO_DOMAIN, Shape::kSymbol, SymbolKind::kDomain},
      {SOL_SOCKET, SO_PROTOCOL, Shape::kSymbol, SymbolKind::kProtocol},
      {SOL_SOCKET, SO_ERROR, Shape::kErrno},
      {SOL_SOCKET, SO_COOKIE, Shape::kU64},
      {SOL_SOCKET, SO_NETNS_COOKIE, Shape::kU64},
      {SOL_SOCKET, SO_RCVTIMEO_OLD, Shape::kTimeval},
      {SOL_SOCKET, SO_SNDTIMEO_OLD, Shape::kTimeval},
      {SOL_SOCKET, SO_RCVTIMEO_NEW, Shape::kTimeval},
      {SOL_SOCKET, SO_SNDTIMEO_NEW, Shape::kTimeval},
      {SOL_SOCKET, SO_LINGER, Shape::kLinger},
      {SOL_SOCKET, SO_PEERCRED, Shape::kUcred},
      {SOL_SOCKET, SO_PEERGROUPS, Shape::kGids},
      {SOL_SOCKET, SO_PEERPIDFD, Shape::kPidfd},
      {SOL_SOCKET, SO_PEERSEC, Shape::kBytes},
      {SOL_SOCKET, SO_PEERNAME, Shape::kBytes},
      {SOL_SOCKET, SO_BINDTODEVICE, Shape::kBytes},
      {SOL_SOCKET, SO_ATTACH_FILTER, Shape::kBytes},
      {SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, Shape::kBytes},
      {SOL_SOCKET, SO_MEMINFO, Shape::kBytes},
      {SOL_SOCKET, SO_TXTIME, Shape::kBytes},
      {IPPROTO_TCP, TCP_INFO, Shape::kBytes},
      {IPPROTO_TCP, TCP_CC_INFO, Shape::kBytes},
      {IPPROTO_TCP, TCP_CONGESTION, Shape::kBytes},
      {IPPROTO_TCP, TCP_ULP, Shape::kBytes},
      {IPPROTO_TCP, TCP_MD5SIG, Shape::kBytes},
      {IPPROTO_TCP, TCP_MD5SIG_EXT, Shape::kBytes},
      {IPPROTO_TCP, TCP_SAVED_SYN, Shape::kBytes},
      {IPPROTO_TCP, TCP_REPAIR_WINDOW, Shape::kBytes},
      {IPPROTO_TCP, TCP_REPAIR_OPTIONS, Shape::kBytes},
      {IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, Shape::kBytes},
      {IPPROTO_TCP, TCP_FASTOPEN_KEY, Shape::kBytes},
      {IPPROTO_TCP, TCP_AO_ADD_KEY, Shape::kBytes},
      {IPPROTO_TCP, TCP_AO_DEL_KEY, Shape::kBytes},
      {IPPROTO_TCP, TCP_AO_INFO, Shape::kBytes},
      {IPPROTO_TCP, TCP_AO_GET_KEYS, Shape::kBytes},
      {IPPROTO_TCP, TCP_AO_REPAIR, Shape::kBytes},
      {IPPROTO_IP, IP_OPTIONS, Shape::kBytes},
      {IPPROTO_IP, IP_PKTOPTIONS, Shape::kBytes},
      {IPPROTO_IP, IP_MULTICAST_IF, Shape::kBytes},
      {IPPROTO_IP, IP_ADD_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IP, IP_DROP_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IP, IP_BLOCK_SOURCE, Shape::kBytes},
      {IPPROTO_IP, IP_UNBLOCK_SOURCE, Shape::kBytes},
      {IPPROTO_IP, IP_MSFILTER, Shape::kBytes},
      {IPPROTO_IP, IP_IPSEC_POLICY, Shape::kBytes},
      {IPPROTO_IP, IP_XFRM_POLICY, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_JOIN_ANYCAST, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_LEAVE_ANYCAST, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_PKTINFO, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_NEXTHOP, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_HOPOPTS, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_RTHDR, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_DSTOPTS, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_RTHDRDSTOPTS, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_2292PKTOPTIONS, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_PATHMTU, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_IPSEC_POLICY, Shape::kBytes},
      {IPPROTO_IPV6, IPV6_XFRM_POLICY, Shape::kBytes},
  };
  return *kTable;
}

// A string literal of the case language: printable bytes as they are,
// '\\' and '"' escaped, any other byte as \xNN.
std::string QuoteOptionBytes(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out + "\"";
}

std::string Padded(std::string_view bytes, size_t size) {
  std::string out(bytes.substr(0, size));
  out.resize(size, '\0');
  return out;
}

}  // namespace

OptionInfo OptionOf(int64_t level, int64_t name) {
  for (const OptionInfo& o : Table()) {
    if (o.level == level && o.name == name) return o;
  }
  return OptionInfo{level, name, Shape::kInt};
}

std::optional<SymbolKind> OptionKindOfLevel(int64_t level) {
  switch (level) {
    case SOL_SOCKET: return SymbolKind::kSockOpt;
    case IPPROTO_TCP: return SymbolKind::kTcpOption;
    case IPPROTO_UDP: return SymbolKind::kUdpOption;
    case IPPROTO_IP: return SymbolKind::kIpOption;
    case IPPROTO_IPV6: return SymbolKind::kIpv6Option;
    default: return std::nullopt;  // an int level, not one of our enums
  }
}

size_t NaturalOptlen(OptionShape shape) {
  switch (shape) {
    case Shape::kInt:
    case Shape::kSymbol:
    case Shape::kErrno:
    case Shape::kPidfd: return sizeof(int);
    case Shape::kU64: return sizeof(uint64_t);
    case Shape::kTimeval: return sizeof(timeval);
    case Shape::kLinger: return sizeof(linger);
    case Shape::kUcred: return sizeof(ucred);
    case Shape::kGids:
    case Shape::kBytes: return 256;
  }
  return sizeof(int);
}

std::string_view ShapeName(OptionShape shape) {
  switch (shape) {
    case Shape::kInt: return "an int";
    case Shape::kSymbol: return "an int constant";
    case Shape::kErrno: return "an errno value";
    case Shape::kU64: return "a 64-bit integer";
    case Shape::kTimeval: return "a struct timeval";
    case Shape::kLinger: return "a struct linger";
    case Shape::kUcred: return "a struct ucred";
    case Shape::kGids: return "a gid_t array";
    case Shape::kPidfd: return "a pidfd";
    case Shape::kBytes: return "bytes";
  }
  return "a value";
}

int64_t OptionInt(const OptionInfo& option, std::string_view bytes) {
  if (option.shape == Shape::kU64) {
    uint64_t v;
    memcpy(&v, Padded(bytes, sizeof v).data(), sizeof v);
    return static_cast<int64_t>(v);
  }
  int32_t v;
  memcpy(&v, Padded(bytes, sizeof v).data(), sizeof v);
  return v;
}

std::string OptionValueText(const OptionInfo& option, std::string_view bytes) {
  switch (option.shape) {
    case Shape::kInt:
    case Shape::kU64:
    case Shape::kPidfd:
      return absl::StrCat(OptionInt(option, bytes));
    case Shape::kSymbol: {
      int64_t v = OptionInt(option, bytes);
      // SO_PROTOCOL 0 is "the default protocol" (AF_UNIX), not IPPROTO_IP.
      if (v == 0 && option.symbols == SymbolKind::kProtocol) return "0";
      std::string_view name = SymbolName(option.symbols, v);
      return name.empty() ? absl::StrCat(v) : std::string(name);
    }
    case Shape::kErrno: {
      int64_t v = OptionInt(option, bytes);
      if (v == 0) return "0";
      return absl::StrCat("errno(", ErrnoName(static_cast<int>(v)), ")");
    }
    case Shape::kTimeval: {
      timeval tv;
      memcpy(&tv, Padded(bytes, sizeof tv).data(), sizeof tv);
      return absl::StrCat("timeval(", tv.tv_sec, ", ", tv.tv_usec, ")");
    }
    case Shape::kLinger: {
      linger l;
      memcpy(&l, Padded(bytes, sizeof l).data(), sizeof l);
      return absl::StrCat("linger(", l.l_onoff ? "on" : "off", ", ", l.l_linger, ")");
    }
    case Shape::kUcred: {
      ucred u;
      memcpy(&u, Padded(bytes, sizeof u).data(), sizeof u);
      return absl::StrCat("cred(pid=", u.pid, ", uid=", u.uid, ", gid=", u.gid, ")");
    }
    case Shape::kGids:
      return absl::StrCat("gids(", absl::StrJoin(DecodeGids(bytes), ", "), ")");
    case Shape::kBytes:
      return QuoteOptionBytes(bytes);
  }
  return "?";
}

std::string EncodeInt(int64_t v, size_t size) {
  std::string out(size, '\0');
  if (size == sizeof(uint64_t)) {
    memcpy(out.data(), &v, size);
  } else {
    int32_t i = static_cast<int32_t>(v);
    memcpy(out.data(), &i, std::min(size, sizeof i));
  }
  return out;
}

std::string EncodeTimeval(int64_t seconds, int64_t microseconds) {
  timeval tv = {};
  tv.tv_sec = seconds;
  tv.tv_usec = microseconds;
  return std::string(reinterpret_cast<const char*>(&tv), sizeof tv);
}

std::string EncodeLinger(bool on, int64_t seconds) {
  linger l = {};
  l.l_onoff = on ? 1 : 0;
  l.l_linger = static_cast<int>(seconds);
  return std::string(reinterpret_cast<const char*>(&l), sizeof l);
}

std::string EncodeGids(const std::vector<int64_t>& gids) {
  std::string out;
  for (int64_t g : gids) {
    uint32_t v = static_cast<uint32_t>(g);
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  return out;
}

std::vector<int64_t> DecodeGids(std::string_view bytes) {
  std::vector<int64_t> out;
  for (size_t i = 0; i + sizeof(uint32_t) <= bytes.size(); i += sizeof(uint32_t)) {
    uint32_t v;
    memcpy(&v, bytes.data() + i, sizeof v);
    out.push_back(v);
  }
  return out;
}

}  // namespace sockspec
