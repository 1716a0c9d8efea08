// Lowering of addresses (path("x"), abstract("x"), loopback4, addr(fd),
// longpath(N)...), credentials (cred(pid=, uid=, gid=)) and pids (pid(A)).
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace internal {

bool RowLowering::LowerAddress(const Expr& e, bool expectation,
                               AddressSpec* out) {
  using AK = AddressSpec::Kind;
  const char* kExpected =
      "expected an address (path(\"x\"), abstract(\"x\"), unnamed, loopback4, "
      "loopback6, addr(fd), longpath(N), unspec, family(AF_X), "
      "sockaddr(AF_X, \"bytes\"), addrlen(ADDRESS, N), badptr)";
  bool handled = false;
  if (!LowerRawAddress(e, out, &handled)) return false;
  if (handled && expectation && out->kind == AK::kBadPointer) {
    Error(e.loc, "'badptr' is an argument, not an address a call gives back");
    return false;
  }
  if (handled && expectation && out->addrlen && *out->addrlen < 0) {
    Error(e.loc, "an addrlen of -1 is an argument, not an address a call gives back");
    return false;
  }
  if (handled) return true;
  if (e.kind == Expr::Kind::kName) {
    if (e.text == "unnamed") {
      out->kind = AK::kUnnamed;
    } else if (e.text == "autobind" && expectation) {
      out->kind = AK::kAutobind;
    } else if (e.text == "autobind") {
      Error(e.loc, "'autobind' is a result; bind to 'unnamed' to autobind");
      return false;
    } else if (e.text == "loopback4" || e.text == "loopback6") {
      out->kind = e.text == "loopback4" ? AK::kInet4 : AK::kInet6;
    } else {
      Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
      return false;
    }
    return true;
  }
  if (e.kind != Expr::Kind::kApply) {
    Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
    return false;
  }
  const std::string& f = e.text;
  bool one_string =
      e.items.size() == 1 && e.items[0].kind == Expr::Kind::kString;
  bool one_int = e.items.size() == 1 && e.items[0].kind == Expr::Kind::kInt;
  if (f == "path" || f == "abstract") {
    if (!one_string) {
      Error(e.loc,
            absl::StrCat("'", f, "' takes one string: ", f, "(\"srv\")"));
      return false;
    }
    const std::string& name = e.items[0].text;
    if (f == "path" &&
        (name.empty() || name.find('/') != std::string::npos || name == "." ||
         name == ".." || name.find('\0') != std::string::npos)) {
      Error(e.items[0].loc,
            "a path(...) name is one relative file name: not "
            "empty, no '/', no NUL, not '.' or '..'");
      return false;
    }
    out->kind = f == "path" ? AK::kPath : AK::kAbstract;
    out->name = name;
    return true;
  }
  if (f == "loopback4" || f == "loopback6") {
    if (!one_int || e.items[0].value < 0 || e.items[0].value > 65535) {
      Error(e.loc, absl::StrCat("'", f, "' takes one port number, 0 to 65535"));
      return false;
    }
    out->kind = f == "loopback4" ? AK::kInet4 : AK::kInet6;
    out->port = static_cast<int>(e.items[0].value);
    return true;
  }
  if (f == "longpath") {
    if (!one_int || e.items[0].value < 1 || e.items[0].value > 4096) {
      Error(e.loc, "'longpath' takes one length, 1 to 4096");
      return false;
    }
    out->kind = AK::kLongPath;
    out->length = static_cast<int>(e.items[0].value);
    return true;
  }
  if (f == "addr") {
    std::string name;
    if (e.items.size() != 1) {
      Error(e.loc, "'addr' takes one fd: addr(l)");
      return false;
    }
    if (!FdName(e.items[0], -1, &name)) return false;
    int slot = SlotOf(name);
    if (slot < 0) {
      Error(e.items[0].loc, absl::StrCat("undeclared fd '", name, "'"));
      return false;
    }
    out->kind = AK::kBoundOf;
    out->fd = slot;
    return true;
  }
  Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
  return false;
}

bool RowLowering::LowerCred(const Expr& e, CredSpec* out) {
  if (e.items.empty()) {
    Error(e.loc,
          absl::StrCat("'", e.text, "' takes a peer, 'harness' or pid=N"));
    return false;
  }
  for (const Expr& item : e.items) {
    if (item.kind == Expr::Kind::kName && item.text == "harness") {
      out->pid_of = CredSpec::kHarness;
    } else if (item.kind == Expr::Kind::kName) {
      int p = PeerIndex(NameRef{item.text, item.loc}, true);
      if (p < 0) return false;
      out->pid_of = p;
    } else if (item.kind == Expr::Kind::kKeyValue && item.items.size() == 1 &&
               item.items[0].kind == Expr::Kind::kInt &&
               (item.text == "pid" || item.text == "uid" ||
                item.text == "gid")) {
      int64_t v = item.items[0].value;
      if (item.text != "pid") {
        // uid_t and gid_t are unsigned 32-bit: -1 is (uid_t)-1, the
        // 4294967295 the kernel reports for "no credentials".
        if (v < -1 || v > 0xffffffffll) {
          Error(item.items[0].loc,
                absl::StrCat("'", item.text, "' is 0 to 4294967295 (or -1 for ",
                             item.text == "uid" ? "(uid_t)-1" : "(gid_t)-1",
                             "), not ", v));
          return false;
        }
        if (v == -1) v = 0xffffffffll;
      }
      (item.text == "pid"   ? out->pid
       : item.text == "uid" ? out->uid
                            : out->gid) = v;
    } else {
      Error(item.loc, absl::StrCat("'", e.text,
                                   "' takes a peer, 'harness', "
                                   "pid=N, uid=N or gid=N, not ",
                                   Shown(item)));
      return false;
    }
  }
  return true;
}

bool RowLowering::LowerPid(const Expr& e, int* who) {
  if (e.items.size() != 1 || e.items[0].kind != Expr::Kind::kName) {
    Error(e.loc, "'pid' takes one peer or 'harness': pid(A)");
    return false;
  }
  if (e.items[0].text == "harness") {
    *who = CredSpec::kHarness;
    return true;
  }
  *who = PeerIndex(NameRef{e.items[0].text, e.items[0].loc}, true);
  return *who >= 0;
}


}  // namespace internal
}  // namespace sockspec
