// Lowering of readiness results: epoll_wait's `events(a=EPOLLIN, b=EPOLLOUT)`
// and select's `readfds(a) writefds(a, b)`, or `0` for nothing ready. The
// ready fds are named; the count the call returns follows from them. Also
// the check that an epoll fd and a socket are not given for one another
// where the step expects success (CheckFdKinds).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/lang/validate_internal.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace internal {
namespace {

bool IsSetName(const std::string& s) {
  return s == "readfds" || s == "writefds" || s == "exceptfds";
}

int64_t SetBit(const std::string& s) {
  return s == "readfds" ? kReadSet : s == "writefds" ? kWriteSet : kExceptSet;
}

}  // namespace

bool RowLowering::LowerReady(const Alternative& alt, const CallSpec& spec,
                             Outcome* out) {
  const bool epoll = spec.call == Call::kEpollWait;
  const std::string form = epoll ? "events(fd=EPOLLIN|..., ...)"
                                 : "readfds(fd, ...) writefds(...) exceptfds(...)";
  const std::vector<Expr>& v = alt.values;
  std::vector<std::pair<int, int64_t>> ready;
  if (v.size() == 1 && v[0].kind == Expr::Kind::kInt && v[0].value == 0) {
    out->ret = Range::Exactly(0);
    out->ready = ready;
    return true;
  }
  std::set<std::string> sets_seen;
  for (const Expr& e : v) {
    const bool ok_form = e.kind == Expr::Kind::kApply &&
                         (epoll ? e.text == "events" : IsSetName(e.text));
    if (!ok_form || (epoll && v.size() > 1)) {
      Error(e.loc, absl::StrCat("'", spec.name, "' returns ", form,
                                ", or 0 for nothing ready; found ",
                                Shown(e)));
      return false;
    }
    if (!epoll && !sets_seen.insert(e.text).second) {
      Error(e.loc, absl::StrCat("'", e.text, "' is given twice"));
      return false;
    }
    for (const Expr& item : e.items) {
      std::string name;
      const Expr* fd = &item;
      if (epoll) {
        if (item.kind != Expr::Kind::kKeyValue || item.items.size() != 1) {
          Error(item.loc, absl::StrCat("'events' lists fd=EVENTS pairs "
                                       "(a=EPOLLIN|EPOLLOUT), found ",
                                       Shown(item)));
          return false;
        }
        name = item.text;
      } else if (!FdName(item, -1, &name)) {
        return false;
      }
      int slot = SlotOf(name);
      if (slot < 0) {
        Error(fd->loc, absl::StrCat("undeclared fd '", name, "'"));
        return false;
      }
      int64_t bits = epoll ? 0 : SetBit(e.text);
      if (epoll && !LowerSymbols(item.items[0],
                                 {"events", ArgKind::kSymbols,
                                  {SymbolKind::kEpollEvent}},
                                 &bits)) {
        return false;
      }
      bool merged = false;
      for (auto& [s, b] : ready) {
        if (s != slot) continue;
        if (epoll || (b & bits)) {
          Error(item.loc, absl::StrCat("fd '", name, "' is named twice"));
          return false;
        }
        b |= bits;
        merged = true;
      }
      if (!merged) ready.emplace_back(slot, bits);
    }
  }
  // epoll_wait returns the number of entries, select the number of bits.
  int64_t count = 0;
  for (const auto& [s, b] : ready) {
    count += epoll ? 1 : __builtin_popcountll(static_cast<uint64_t>(b));
  }
  out->ret = Range::Exactly(count);
  out->ready = std::move(ready);
  return true;
}

}  // namespace internal
}  // namespace sockspec

namespace sockspec {
namespace internal {
namespace {

bool ExpectsSuccess(const Op& op) {
  if (op.platforms.empty()) return false;
  for (const Outcome& o : op.platforms[0].second.any_of) {
    if (o.kind == Outcome::Kind::kReturn) return true;
  }
  return false;
}

}  // namespace

bool RowLowering::CheckFdKinds(const CallSpec& spec,
                               const std::vector<Expr>& args, const Op& op) {
  if (!op.fds.empty() && !args.empty() && ExpectsSuccess(op)) {
    auto kind = fd_kinds_.find(op.fds[0]);
    const std::string& name = plan_.fd_names[op.fds[0]];
    if (kind != fd_kinds_.end() && kind->second == FdKind::kEpoll &&
        spec.needs_socket) {
      Error(args[0].loc,
            absl::StrCat("fd '", name, "' is an epoll instance, not a socket: '",
                         spec.name, "' on it fails ENOTSOCK"));
      return false;
    }
    const bool wants_epoll =
        spec.call == Call::kEpollCtl || spec.call == Call::kEpollWait;
    if (kind != fd_kinds_.end() && kind->second == FdKind::kSocket &&
        wants_epoll) {
      Error(args[0].loc,
            absl::StrCat("'", spec.name, "' needs an epoll fd (from "
                         "epoll_create1); '", name, "' is a socket: it fails "
                         "EINVAL"));
      return false;
    }
  }
  // What the call made, for the steps after it.
  for (int slot : op.results) fd_kinds_.erase(slot);
  if (spec.call == Call::kEpollCreate1) {
    for (int slot : op.results) fd_kinds_[slot] = FdKind::kEpoll;
  } else if (spec.family == CallFamily::kSocket && spec.call != Call::kDup) {
    for (int slot : op.results) fd_kinds_[slot] = FdKind::kSocket;
  } else if ((spec.call == Call::kDup || spec.result == ResultKind::kFd) &&
             !op.fds.empty() && fd_kinds_.count(op.fds[0])) {
    for (int slot : op.results) fd_kinds_[slot] = fd_kinds_[op.fds[0]];
  }
  return true;
}

}  // namespace internal
}  // namespace sockspec
