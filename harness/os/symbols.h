// Symbol tables for the case language: the system constants a case may name
// (AF_*, SOCK_*, MSG_*, SOL_SOCKET, SO_*, SHUT_*, POLL*, F_*, O_NONBLOCK,
// FD_CLOEXEC, SIOCINQ/SIOCOUTQ, errno and signal names), both ways.
//
//   LookupSymbol("MSG_PEEK", SymbolKind::kMsgFlag)  -> MSG_PEEK's value
//   FlagsToText(SymbolKind::kMsgFlag, MSG_TRUNC | MSG_CTRUNC)
//       -> "MSG_CTRUNC|MSG_TRUNC"
#ifndef SOCKSPEC_HARNESS_OS_SYMBOLS_H_
#define SOCKSPEC_HARNESS_OS_SYMBOLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockspec {

enum class SymbolKind {
  kDomain,     // AF_UNIX
  kSockType,   // SOCK_STREAM
  kSockFlag,   // SOCK_NONBLOCK, SOCK_CLOEXEC
  kMsgFlag,    // MSG_PEEK
  kLevel,      // SOL_SOCKET
  kSockOpt,    // SO_SNDBUF
  kShutHow,    // SHUT_WR
  kPollEvent,  // POLLIN
  kFcntlCmd,   // F_GETFL
  kFileFlag,   // O_NONBLOCK
  kFdFlag,     // FD_CLOEXEC
  kIoctl,      // SIOCINQ
  kErrno,      // EAGAIN
  kSignal,     // SIGPIPE
  kCmsgType,   // SCM_RIGHTS: a control message's cmsg_type at SOL_SOCKET
};

struct Symbol {
  std::string_view name;
  int64_t value;
  SymbolKind kind;
};

// Every symbol, canonical names before their aliases (EAGAIN before
// EWOULDBLOCK).
const std::vector<Symbol>& AllSymbols();

// The symbol called `name`, or nullptr.
const Symbol* FindSymbol(std::string_view name);

// The value of `name` if it is a symbol of `kind`, else nullopt.
std::optional<int64_t> LookupSymbol(std::string_view name, SymbolKind kind);

// The canonical name of `value` among `kind`'s symbols, or "" if none.
std::string_view SymbolName(SymbolKind kind, int64_t value);

// A flag word as text: the names of the set bits joined by '|' in table
// order, any bits without a name as hex ("MSG_TRUNC|0x100000"), "0" for 0.
std::string FlagsToText(SymbolKind kind, int64_t value);

// "socket type", "errno", ...: how messages name a kind.
std::string_view SymbolKindName(SymbolKind kind);

// The candidate closest to `name` by edit distance when it is close enough to
// be a likely typo, else "". Used for "did you mean" hints.
std::string ClosestName(std::string_view name,
                        const std::vector<std::string>& candidates);

// ClosestName over the symbols of the given kinds.
std::string ClosestSymbol(std::string_view name,
                          const std::vector<SymbolKind>& kinds);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_SYMBOLS_H_
