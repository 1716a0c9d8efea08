// The case language's call table: each call's name, its plan Call, the kinds
// of its arguments and of its result. validate checks steps against it.
//
//   const CallSpec* spec = FindCall("read");  // {kRead, (fd, size), kData}
#ifndef SOCKSPEC_HARNESS_CALLS_H_
#define SOCKSPEC_HARNESS_CALLS_H_

#include <string>
#include <string_view>
#include <vector>

#include "harness/plan.h"
#include "harness/symbols.h"

namespace sockspec {

enum class ArgKind {
  kFd,        // a, c[], c[2]
  kInt,       // 10
  kSymbols,   // AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0
  kData,      // m1, m1[0:10], "x", m1 + m2
  kAddress,   // path("srv"), abstract("x"), unnamed, loopback4, addr(l)
  kPairKind,  // socketpair, pathname, abstract, inet4, inet6
};

struct ArgSpec {
  const char* name;  // for messages: "size"
  ArgKind kind;
  std::vector<SymbolKind> symbols;  // kSymbols: the kinds allowed
};

enum class ResultKind {
  kCount,    // a return value: 0, 100, 1..4096, any
  kFd,       // a new fd name
  kFdPair,   // two new fd names
  kData,     // received bytes
  kRevents,  // poll's revents
  kValue,    // getsockopt, ioctl, fcntl: an int, a symbol, cred(B)
  kAddress,  // getsockname/getpeername
};

struct CallSpec {
  const char* name;
  Call call;
  std::vector<ArgSpec> args;      // required, in order
  std::vector<ArgSpec> optional;  // may follow, in order
  ResultKind result;
  // recvmsg/sendmsg take `rights=N` / `creds` / `rights(f)` / `creds(A)`
  // after their positional arguments.
  bool ancillary = false;
  // Runs only in a peer: a setup step with it is an error (raise,
  // drop_privileges: the harness itself must stay as it is).
  bool peer_only = false;
};

// The spec of the call named `name`, or nullptr.
const CallSpec* FindCall(std::string_view name);

// Every call name, for "did you mean".
std::vector<std::string> CallNames();

// "fd, size[, flags]": the argument list as the Calls table writes it.
std::string DescribeArgs(const CallSpec& spec);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CALLS_H_
