// Lowering of the message calls' extras: recvmsg/sendmsg's ancillary
// arguments (`rights=N`, `creds`, `control=N`, `rights(f)`, `creds(A)`),
// sendmmsg's messages (`iov(...)`), recvmmsg/sendmmsg results (`msg(...)`)
// and recvmsg's `cmsg(...)` attribute.
#include <sys/socket.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace internal {
namespace {

// The largest control buffer a case may ask for (net.core.optmem_max's
// order of magnitude; the kernel caps what it writes anyway).
constexpr int64_t kMaxControlBytes = 65536;

// Data as a result: a string, a payload or a slice of one, a sum of them.
bool IsDataResult(const Expr& e) {
  return e.kind == Expr::Kind::kString || e.kind == Expr::Kind::kSlice ||
         e.kind == Expr::Kind::kConcat ||
         (e.kind == Expr::Kind::kName && !e.text.empty() && e.text[0] >= 'a' &&
          e.text[0] <= 'z' && e.text != "any");
}

}  // namespace

bool RowLowering::LowerAncillary(const CallSpec& spec, const Expr& e,
                                 int holder, Op* op) {
  if (spec.ancillary == Ancillary::kReceive) {
    if (e.kind == Expr::Kind::kKeyValue && e.text == "rights" &&
        e.items.size() == 1 && e.items[0].kind == Expr::Kind::kInt &&
        e.items[0].value >= 0 && e.items[0].value <= 253) {
      op->ints[2] = e.items[0].value;
      return true;
    }
    if (e.kind == Expr::Kind::kName && e.text == "creds") {
      op->ints[3] = 1;
      return true;
    }
    if (e.kind == Expr::Kind::kKeyValue && e.text == "control") {
      return LowerControl(e, op);
    }
  } else {
    if (e.kind == Expr::Kind::kApply && e.text == "rights" &&
        e.items.empty()) {
      op->ints[1] = 1;  // SCM_RIGHTS with no fds
      return true;
    }
    if (e.kind == Expr::Kind::kApply && e.text == "rights") {
      for (const Expr& fd : e.items) {
        int slot;
        if (!LowerFd(fd, holder, -1, &slot)) return false;
        op->rights.push_back(slot);
      }
      return true;
    }
    if (e.kind == Expr::Kind::kApply && e.text == "creds") {
      CredSpec cred;
      if (!LowerCred(e, &cred)) return false;
      op->creds = cred;
      return true;
    }
  }
  Error(e.loc, absl::StrCat("unexpected argument ", Shown(e), " to '",
                            spec.name, "': after the flags it takes ",
                            spec.ancillary == Ancillary::kReceive
                                ? "rights=N (0 to 253), creds and control=N"
                                : "rights(fd, ...) and creds(PEER)"));
  return false;
}

bool RowLowering::LowerMessageIovecs(const Expr& e, Op* op) {
  // sendmmsg's message: DATA (one iovec) or iov(DATA, DATA, ...); its ints
  // are the iovec count, then each iovec's length.
  std::vector<const Expr*> pieces;
  if (e.kind == Expr::Kind::kApply && e.text == "iov") {
    if (e.items.empty() || e.items.size() > 1024) {
      Error(e.loc, "'iov' takes 1 to 1024 data arguments: iov(\"one\", \"two\")");
      return false;
    }
    for (const Expr& item : e.items) pieces.push_back(&item);
  } else {
    pieces.push_back(&e);
  }
  op->ints.push_back(static_cast<int64_t>(pieces.size()));
  for (const Expr* piece : pieces) {
    const size_t before = op->data.size();
    if (!LowerData(*piece, &op->data)) return false;
    op->ints.push_back(static_cast<int64_t>(op->data.size() - before));
  }
  return true;
}

bool RowLowering::LowerControl(const Expr& e, Op* op) {
  // control=N: a control buffer of exactly N bytes; control=null(N): a NULL
  // msg_control with msg_controllen N (0: no control buffer at all).
  const Expr* v = e.items.empty() ? nullptr : &e.items[0];
  bool null = false;
  if (v != nullptr && v->kind == Expr::Kind::kApply && v->text == "null" &&
      v->items.size() == 1) {
    null = true;
    v = &v->items[0];
  }
  if (v == nullptr || v->kind != Expr::Kind::kInt || v->value < 0 ||
      v->value > kMaxControlBytes) {
    Error(v != nullptr ? v->loc : e.loc,
          absl::StrCat("'control' takes a length in bytes, 0 to ",
                       kMaxControlBytes, ", or null(LENGTH) for a NULL "
                       "buffer: control=64, control=null(16)"));
    return false;
  }
  if (op->ints[4] >= 0) {
    Error(e.loc, "'control' is given twice");
    return false;
  }
  op->ints[4] = v->value;
  op->ints[5] = null ? 1 : 0;
  return true;
}

bool RowLowering::LowerMessage(const Expr& e, const CallSpec& spec,
                               Outcome::Message* out) {
  const bool receive = spec.call == Call::kRecvmmsg;
  const char* usage = receive
                          ? "msg(DATA[, len=N][, flags=MSG_...]): the bytes "
                            "of one message, its msg_len if it differs, its "
                            "msg_flags"
                          : "msg(len=N): the bytes sendmmsg sent of one "
                            "message";
  if (e.kind != Expr::Kind::kApply || e.text != "msg") {
    Error(e.loc, absl::StrCat("expected one msg(...) per message for '",
                              spec.name, "', found ", Shown(e), ": ", usage));
    return false;
  }
  for (const Expr& item : e.items) {
    const bool kv = item.kind == Expr::Kind::kKeyValue && item.items.size() == 1;
    const Expr* v = kv ? &item.items[0] : nullptr;
    if (kv && item.text == "len" && v->kind == Expr::Kind::kInt) {
      out->len = Range::Exactly(v->value);
    } else if (kv && item.text == "len" && v->kind == Expr::Kind::kRange &&
               v->value <= v->value2) {
      out->len = Range{v->value, v->value2};
    } else if (kv && item.text == "flags" && receive) {
      int64_t f;
      if (!LowerSymbols(item.items[0],
                        {"flags", ArgKind::kSymbols, {SymbolKind::kMsgFlag}},
                        &f)) {
        return false;
      }
      out->flags = static_cast<int>(f);
    } else if (receive && !out->data && IsDataResult(item)) {
      std::string data;
      if (!LowerData(item, &data)) return false;
      out->data = std::move(data);
    } else {
      Error(item.loc, absl::StrCat("unexpected ", Shown(item), " in msg(...) of '",
                                   spec.name, "': ", usage));
      return false;
    }
  }
  return true;
}

bool RowLowering::LowerCmsg(const Expr& e, Outcome* out) {
  // cmsg(LEVEL, TYPE[, VALUE]): a control message the kernel sent that is
  // neither SCM_RIGHTS nor SCM_CREDENTIALS (those are rights(...), cred(...)).
  const char* usage =
      "cmsg(SOL_SOCKET, TYPE[, VALUE or bytes=N]): a control message other "
      "than rights(...) and cred(...), with its int value or its length";
  if (e.items.size() < 2 || e.items.size() > 3) {
    Error(e.loc, absl::StrCat("'cmsg' takes 2 or 3 arguments: ", usage));
    return false;
  }
  int64_t level, type;
  if (!LowerSymbols(e.items[0],
                    {"level", ArgKind::kSymbols, {SymbolKind::kLevel}},
                    &level) ||
      !LowerSymbols(e.items[1],
                    {"type", ArgKind::kSymbols, {SymbolKind::kCmsgType}},
                    &type)) {
    return false;
  }
  Outcome::Cmsg c;
  c.level = static_cast<int>(level);
  c.type = static_cast<int>(type);
  if (e.items.size() == 3) {
    const Expr& v = e.items[2];
    if (v.kind == Expr::Kind::kKeyValue && v.text == "bytes" &&
        v.items.size() == 1 && v.items[0].kind == Expr::Kind::kInt &&
        v.items[0].value >= 0) {
      c.bytes = v.items[0].value;
    } else if (v.kind == Expr::Kind::kInt) {
      c.value = v.value;
    } else {
      Error(v.loc, absl::StrCat("expected the message's int value or bytes=N, "
                                "found ", Shown(v), ": ", usage));
      return false;
    }
  }
  // SCM_RIGHTS is always rights(...); SCM_CREDENTIALS is cred(...) unless
  // the control buffer cut it short (then cmsg(..., bytes=N) states it).
  if (level == SOL_SOCKET &&
      (type == SCM_RIGHTS || (type == SCM_CREDENTIALS && !c.bytes))) {
    Error(e.items[1].loc,
          absl::StrCat("write ", type == SCM_RIGHTS ? "rights(g, ...)" : "cred(PEER)",
                       " for ", PrintExpr(e.items[1]),
                       type == SCM_RIGHTS ? ", not cmsg(...)"
                                          : " (cmsg(SOL_SOCKET, SCM_CREDENTIALS, "
                                            "bytes=N) only for one cut short)"));
    return false;
  }
  out->cmsgs.push_back(c);
  return true;
}

}  // namespace internal
}  // namespace sockspec
