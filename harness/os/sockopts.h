// The shape of every socket option's value (an int, a struct timeval, a
// struct linger, ...): what setsockopt takes and getsockopt returns, how
// many bytes that is, and the value as the case language writes it.
//
//   const OptionInfo& o = OptionOf(SOL_SOCKET, SO_LINGER);  // kLinger, 8 bytes
//   OptionValueText(o, EncodeLinger(true, 5))               // "linger(on, 5)"
#ifndef SOCKSPEC_HARNESS_OS_SOCKOPTS_H_
#define SOCKSPEC_HARNESS_OS_SOCKOPTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/os/symbols.h"

namespace sockspec {

enum class OptionShape {
  kInt,      // int, also boolean options (nonzero is on; the kernel answers 1)
  kSymbol,   // int naming a constant: SO_TYPE (SOCK_*), SO_DOMAIN, SO_PROTOCOL
  kErrno,    // int holding an errno value: SO_ERROR, written errno(ECONNRESET)
  kU64,      // 8-byte integer: SO_COOKIE, SO_NETNS_COOKIE
  kTimeval,  // struct timeval (__kernel_sock_timeval for the _NEW forms)
  kLinger,   // struct linger
  kUcred,    // struct ucred: SO_PEERCRED
  kGids,     // gid_t[]: SO_PEERGROUPS
  kPidfd,    // int holding a new fd: SO_PEERPIDFD
  kBytes,    // anything else (a name, a struct the language does not model)
};

struct OptionInfo {
  int64_t level = 0;
  int64_t name = 0;
  OptionShape shape = OptionShape::kInt;
  // kSymbol: the kind of constant the value is.
  SymbolKind symbols = SymbolKind::kSockType;
};

// The option's shape; an option the table does not list is an int (most
// are), also for a level or name given as a number.
OptionInfo OptionOf(int64_t level, int64_t name);

// The option kind a level's options have (SOL_SOCKET: kSockOpt,
// IPPROTO_TCP/SOL_TCP: kTcpOption, ...), or nullopt for a level the table
// does not know.
std::optional<SymbolKind> OptionKindOfLevel(int64_t level);

// The bytes getsockopt is offered when the case gives no optlen, and that
// setsockopt passes for a value written in the option's shape: 4 for ints,
// 16 for a timeval, 8 for a linger, 12 for a ucred; 256 for kGids and kBytes,
// whose length the kernel decides.
size_t NaturalOptlen(OptionShape shape);

// "an int", "a struct timeval", ...: how messages name a shape.
std::string_view ShapeName(OptionShape shape);

// The value as a case writes it: "timeval(1, 500000)", "linger(on, 5)",
// "errno(ECONNRESET)", "SOCK_STREAM", "gids(0, 27)", "cred(pid=1, uid=0,
// gid=0)", "5", or a quoted string for kBytes; decoded from the first
// bytes.size() bytes the kernel wrote (missing bytes read as zero).
std::string OptionValueText(const OptionInfo& option, std::string_view bytes);

// The int an int-like shape (kInt, kSymbol, kErrno, kPidfd, kU64) holds in
// `bytes`, zero-extended when the kernel wrote fewer bytes than the type has.
int64_t OptionInt(const OptionInfo& option, std::string_view bytes);

// Option values as bytes, in the layout of x86-64 Linux.
std::string EncodeInt(int64_t v, size_t size = 4);
std::string EncodeTimeval(int64_t seconds, int64_t microseconds);
std::string EncodeLinger(bool on, int64_t seconds);
std::string EncodeGids(const std::vector<int64_t>& gids);
std::vector<int64_t> DecodeGids(std::string_view bytes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_SOCKOPTS_H_
