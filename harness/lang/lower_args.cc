// Lowering of the arguments that exist to be wrong (LTP-style errno
// tables): `badfd`, `null(N)` and `badptr(N)` buffers, a `badptr` option
// value or address; and the addresses beyond the named kinds: `unspec`,
// `family(AF_X)`, `sockaddr(AF_X, "bytes")`, `addrlen(ADDRESS, N)`.
#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

bool IsBadName(const std::string& s) { return s == "null" || s == "badptr"; }

BufferKind KindOf(const std::string& s) {
  return s == "null" ? BufferKind::kNull : BufferKind::kBad;
}

}  // namespace

bool TakesAddressOut(const CallSpec& spec) {
  return spec.call == Call::kAccept || spec.call == Call::kAccept4 ||
         spec.call == Call::kGetsockname || spec.call == Call::kGetpeername ||
         spec.call == Call::kRecvfrom;
}

bool RowLowering::LowerAddressOut(const Expr& e, Op* op) {
  const Expr* v = e.items.empty() ? nullptr : &e.items[0];
  const bool bad = v != nullptr && v->kind == Expr::Kind::kName && IsBadName(v->text);
  if (e.text == "sv" && bad) {  // socketpair's int[2]
    op->buffer = KindOf(v->text);
    return true;
  }
  if (e.text == "addr" && bad) {
    op->addr_out.addr = KindOf(v->text);
    return true;
  }
  if (e.text == "addrlen" && bad) {
    op->addr_out.len = KindOf(v->text);
    return true;
  }
  if (e.text == "addrlen" && v != nullptr && v->kind == Expr::Kind::kInt &&
      v->value >= -1 && v->value <= 65535) {
    op->addr_out.len_value = v->value;
    return true;
  }
  Error(e.loc, e.text == "sv"   ? "'sv=' takes null or badptr (where the two fds go)"
               : e.text == "addr"
                   ? "'addr=' takes null or badptr (the address buffer)"
                   : "'addrlen=' takes null, badptr (the pointer) or a "
                     "length, -1 to 65535 (the value passed in)");
  return false;
}

bool RowLowering::LowerBadBuffer(const Expr& e, const ArgSpec& arg, Op* op,
                                 bool* handled) {
  *handled = false;
  const bool apply = e.kind == Expr::Kind::kApply && IsBadName(e.text);
  const bool name = e.kind == Expr::Kind::kName && IsBadName(e.text);
  if (!apply && !name) return true;
  *handled = true;
  const std::string what = arg.name;
  const bool size = arg.kind == ArgKind::kInt && what == "size";
  const bool data = arg.kind == ArgKind::kData;
  // setsockopt's value: a pointer with a fixed length.
  const bool value = (arg.kind == ArgKind::kInt || arg.kind == ArgKind::kOptValue) &&
                     what == "value";
  if (name && value) {
    op->buffer = KindOf(e.text);
    if (arg.kind == ArgKind::kOptValue) {
      op->data.assign(sizeof(int), '\0');  // optlen 4 unless `optlen=` says
    } else {
      op->ints.push_back(0);
    }
    return true;
  }
  if (apply && (size || data)) {
    if (e.items.size() != 1) {
      Error(e.loc, absl::StrCat("'", e.text, "' takes one length: ", e.text,
                                "(16)"));
      return false;
    }
    int64_t n = 0;
    std::optional<IntExpr> dyn;
    if (!LowerNumber(e.items[0], "length", &n, &dyn)) return false;
    op->buffer = KindOf(e.text);
    if (size) {
      if (dyn) op->dynamic.push_back({DynamicInt::Target::kInt,
                                      static_cast<int>(op->ints.size()), *dyn});
      op->ints.push_back(n);
    } else if (dyn) {
      Error(e.items[0].loc, absl::StrCat("the length of '", e.text,
                                         "(...)' as data is a number"));
      return false;
    } else {
      op->buffer_length = n;
    }
    return true;
  }
  if (value) {
    Error(e.loc, absl::StrCat("an option value is '", e.text,
                              "' alone (an optlen of sizeof(int))"));
  } else if (size || data) {
    Error(e.loc, absl::StrCat("a ", size ? "buffer" : "data", " argument is '",
                              e.text, "(LENGTH)': ", e.text, "(16)"));
  } else {
    Error(e.loc, absl::StrCat("'", e.text, "' stands for a buffer, an option "
                              "value or an address, not for '", what, "'"));
  }
  return false;
}

bool RowLowering::LowerRawAddress(const Expr& e, AddressSpec* out,
                                  bool* handled) {
  using AK = AddressSpec::Kind;
  *handled = true;
  if (e.kind == Expr::Kind::kName && e.text == "unspec") {
    out->kind = AK::kUnspec;
    return true;
  }
  if (e.kind == Expr::Kind::kName && e.text == "badptr") {
    out->kind = AK::kBadPointer;
    return true;
  }
  if (e.kind != Expr::Kind::kApply ||
      (e.text != "family" && e.text != "sockaddr" && e.text != "addrlen")) {
    *handled = false;
    return true;
  }
  const ArgSpec domain{"family", ArgKind::kSymbols, {SymbolKind::kDomain}};
  if (e.text == "family" || e.text == "sockaddr") {
    const bool raw = e.text == "sockaddr";
    const bool shape =
        raw ? e.items.size() == 2 && e.items[1].kind == Expr::Kind::kString
            : e.items.size() == 1;
    if (!shape) {
      Error(e.loc, raw ? "'sockaddr' takes a family and the bytes after it: "
                         "sockaddr(AF_UNIX, \"name\")"
                       : "'family' takes one address family: family(AF_INET)");
      return false;
    }
    int64_t f = 0;
    if (!LowerSymbols(e.items[0], domain, &f)) return false;
    out->kind = raw ? AK::kRaw : AK::kFamily;
    out->family = static_cast<int>(f);
    if (raw) {
      const size_t room = sizeof(sockaddr_storage) - sizeof(sa_family_t);
      if (e.items[1].text.size() > room) {
        Error(e.items[1].loc, absl::StrCat("a sockaddr holds at most ", room,
                                           " bytes after its family"));
        return false;
      }
      out->name = e.items[1].text;
    }
    return true;
  }
  // addrlen(ADDRESS, N)
  if (e.items.size() != 2 || e.items[1].kind != Expr::Kind::kInt ||
      e.items[1].value < -1 ||
      e.items[1].value > static_cast<int64_t>(sizeof(sockaddr_storage))) {
    Error(e.loc, absl::StrCat("'addrlen' takes an address and a length, -1 to ",
                              sizeof(sockaddr_storage),
                              ": addrlen(path(\"srv\"), 3)"));
    return false;
  }
  if (e.items[0].kind == Expr::Kind::kApply && e.items[0].text == "addrlen") {
    Error(e.items[0].loc, "'addrlen' of an 'addrlen' says the length twice");
    return false;
  }
  if (!LowerAddress(e.items[0], /*expectation=*/false, out)) return false;
  if (out->kind == AK::kBadPointer) {
    Error(e.items[0].loc, "'badptr' has no bytes to cut: write the length "
                          "of a real address");
    return false;
  }
  out->addrlen = static_cast<int>(e.items[1].value);
  return true;
}

}  // namespace internal
}  // namespace sockspec
