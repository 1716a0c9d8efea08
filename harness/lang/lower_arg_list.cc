// Lowering of one call's argument list in its table entry's order
// (calls.h): arity, keywords after the positional arguments, fallbacks for
// optional ones, and each argument by its ArgKind into the Op.
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace internal {
namespace {

std::string ArityMessage(const CallSpec& spec, size_t got) {
  size_t n = spec.args.size();
  size_t m = spec.optional.size();
  std::string count = m == 0 ? absl::StrCat(n) : absl::StrCat(n, " to ", n + m);
  return absl::StrCat("'", spec.name, "' takes ", count,
                      n + m == 1 ? " argument (" : " arguments (",
                      DescribeArgs(spec), "), got ", got);
}

}  // namespace

bool RowLowering::LowerArgs(const CallSpec& spec, const std::vector<Expr>& args,
                            const Step& step, int holder, int iteration,
                            Op* op) {
  size_t n = spec.args.size();
  size_t m = spec.optional.size();
  if (TakesAddressOut(spec) || spec.call == Call::kSocketpair) {
    // `addr=` / `addrlen=` (socketpair: `sv=`) keywords after the
    // positional arguments.
    std::vector<Expr> positional;
    for (const Expr& e : args) {
      if (e.kind == Expr::Kind::kKeyValue &&
          (spec.call == Call::kSocketpair ? e.text == "sv"
                                          : e.text == "addr" || e.text == "addrlen")) {
        if (!LowerAddressOut(e, op)) return false;
      } else {
        positional.push_back(e);
      }
    }
    if (positional.size() != args.size()) {
      return LowerArgs(spec, positional, step, holder, iteration, op);
    }
  }
  if (args.size() < n) {
    Error(step.rparen, ArityMessage(spec, args.size()));
    return false;
  }
  const bool ancillary = spec.ancillary != Ancillary::kNone;
  const size_t repeats = static_cast<size_t>(spec.repeats_last);
  if (repeats > 0 && args.size() > n - 1 + repeats) {
    Error(args[n - 1 + repeats].loc,
          absl::StrCat("'", spec.name, "' takes at most ", repeats, " ",
                       spec.args[n - 1].name, " arguments (UIO_MAXIOV)"));
    return false;
  }
  if (!ancillary && repeats == 0 && args.size() > n + m) {
    Error(args[n + m].loc, ArityMessage(spec, args.size()));
    return false;
  }
  // After the required arguments, a call with ancillary data takes only
  // ancillary ones (recvmsg and sendmsg have no optional arguments).
  const size_t positional = ancillary ? n : args.size();
  for (size_t i = 0; i < positional; ++i) {
    const ArgSpec& a = i < n           ? spec.args[i]
                       : repeats > 0 ? spec.args[n - 1]
                                     : spec.optional[i - n];
    const Expr& e = args[i];
    switch (a.kind) {
      case ArgKind::kFd: {
        int slot;
        if (!LowerFd(e, holder, iteration, &slot)) return false;
        op->fds.push_back(slot);
        break;
      }
      case ArgKind::kInt: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        int64_t v;
        std::optional<IntExpr> dyn;
        if (!LowerNumber(e, a.name, &v, &dyn)) return false;
        if (dyn) {
          op->dynamic.push_back({DynamicInt::Target::kInt,
                                 static_cast<int>(op->ints.size()), *dyn});
        }
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kSymbols: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        int64_t v;
        if (!LowerSymbols(e, a, &v)) return false;
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kData: {
        if (spec.call == Call::kSendmmsg) {
          if (!LowerMessageIovecs(e, op)) return false;
          break;
        }
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        const size_t before = op->data.size();
        if (!LowerData(e, &op->data, &op->dynamic)) return false;
        // One iovec or message per data argument: its length.
        if (repeats > 0) {
          op->ints.push_back(static_cast<int64_t>(op->data.size() - before));
        }
        break;
      }
      case ArgKind::kText:
        if (e.kind != Expr::Kind::kString || e.text.empty() ||
            e.text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_./") !=
                std::string::npos ||
            e.text[0] == '/' || e.text.find("..") != std::string::npos) {
          Error(e.loc, absl::StrCat("'", a.name, "' is a string relative to "
                                    "/proc/sys: \"net/core/somaxconn\" or "
                                    "\"net.core.somaxconn\""));
          return false;
        }
        op->data = e.text;
        break;
      case ArgKind::kAddress:
        if (!LowerAddress(e, /*expectation=*/false, &op->addr)) return false;
        break;
      case ArgKind::kOptValue: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        if (!LowerOptionValue(e, op, &op->data)) return false;
        break;
      }
      case ArgKind::kOptlen: {
        int64_t v;
        if (!LowerOptlen(e, &v)) return false;
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kPeer: {
        if (e.kind != Expr::Kind::kName || !IsPeerName(e.text)) {
          Error(e.loc, absl::StrCat("expected a peer (A, Server), found ",
                                    Shown(e)));
          return false;
        }
        int p = PeerIndex(NameRef{e.text, e.loc}, true);
        if (p < 0) return false;
        op->ints.push_back(p);
        break;
      }
      case ArgKind::kPairKind: {
        static const char* const kKinds[] = {"socketpair", "pathname",
                                             "abstract", "inet4", "inet6"};
        int found = -1;
        for (int k = 0; k < 5; ++k) {
          if (e.kind == Expr::Kind::kName && e.text == kKinds[k]) found = k;
        }
        if (found < 0) {
          Error(e.loc, absl::StrCat("expected a socket kind (socketpair, "
                                    "pathname, abstract, inet4, inet6), found ",
                                    Shown(e)));
          return false;
        }
        op->ints.push_back(found);
        break;
      }
      case ArgKind::kFdSet: {
        // select's sets: readfds(a, b) ...; the fds go to Op::fds, the
        // set's size to Op::ints.
        if (e.kind != Expr::Kind::kApply || e.text != a.name) {
          Error(e.loc, absl::StrCat("'", spec.name, "' takes its ", a.name,
                                    " set here: ", a.name, "(fd, ...), found ",
                                    Shown(e)));
          return false;
        }
        for (const Expr& fd : e.items) {
          int slot;
          if (!LowerFd(fd, holder, iteration, &slot)) return false;
          op->fds.push_back(slot);
        }
        op->ints.push_back(static_cast<int64_t>(e.items.size()));
        break;
      }
      case ArgKind::kValue: {
        if (e.kind == Expr::Kind::kApply && e.text == "pid") {
          int who;
          if (!LowerPid(e, &who)) return false;
          op->pid_args.emplace_back(op->ints.size(), who);
          op->ints.push_back(0);
          break;
        }
        if (a.symbols.empty() && e.kind != Expr::Kind::kInt) {
          Error(e.loc, absl::StrCat("expected a number or pid(PEER) for '",
                                    a.name, "', found ", Shown(e)));
          return false;
        }
        int64_t v;
        if (!LowerSymbols(e, a, &v)) return false;
        op->ints.push_back(v);
        break;
      }
    }
  }
  // Fallbacks for optional arguments left out, then the call's extra ints,
  // so ints always has the layout of the call's entry.
  for (size_t i = positional; repeats == 0 && i < n + m; ++i) {
    if (spec.optional[i - n].fallback) {
      op->ints.push_back(*spec.optional[i - n].fallback);
    }
  }
  op->ints.insert(op->ints.end(), spec.extra_ints.begin(),
                  spec.extra_ints.end());
  if ((spec.call == Call::kSetsockopt || spec.call == Call::kGetsockopt) &&
      !CheckOptionLevel(args[1], args[2], *op)) {
    return false;
  }
  for (size_t i = positional; i < args.size(); ++i) {
    if (!LowerAncillary(spec, args[i], holder, op)) return false;
  }
  return true;
}


}  // namespace internal
}  // namespace sockspec
