// Out-of-band data and edge-triggered epoll in the reference model (model.h):
// send and recv with MSG_OOB, ioctl(SIOCATMARK), SO_OOBINLINE and
// epoll_wait of an EPOLLET set. Follows queue_oob, manage_oob,
// unix_stream_recv_urg, unix_ioctl and unix_poll of net/unix/af_unix.c and
// ep_poll_callback of fs/eventpoll.c; every rule was first observed on this
// machine's kernel (6.18) with small programs:
//
// - A MSG_OOB send of n bytes sends n - 1 plain bytes, then the last byte
//   alone as the receiver's oob_skb (a send of 0 bytes fails EOPNOTSUPP;
//   DGRAM and SEQPACKET fail EOPNOTSUPP either way, SIOCATMARK too).
// - A second out-of-band byte takes the mark; the first becomes plain data.
// - recv(MSG_OOB) returns that byte (1, even into 0 bytes of buffer, with
//   msg_flags MSG_OOB and no control data), or EINVAL with none pending or
//   under SO_OOBINLINE. Taken, its skb stays queued with length 0: poll
//   still says POLLIN, SIOCATMARK says 1 before it, and a read that has
//   copied bytes stops there unless a newer mark is pending. A taken skb
//   right before the one taken now is freed: two never stand side by side.
// - A plain read stops before the mark once it has copied bytes; starting
//   at the mark it drops the byte (reads it, under SO_OOBINLINE). A read
//   that drops the byte and finds nothing after it fails EAGAIN.
// - POLLPRI while a mark is pending, SO_OOBINLINE or not.
// - SIOCINQ counts the pending byte; a byte a plain read dropped stays
//   counted for good (u->inq_len is not lowered on that path in 6.18: found
//   by ops_fuzzer, cases/oob/dropped-oob-byte-stays-in-siocinq.case).
// - EPOLLET reports an end once per wakeup of its wait queue whose events
//   match: the peer's send, either end's shutdown, the peer's close; a read
//   by the peer may wake it (unix_write_space when the freed memory makes
//   it writable), as may SO_SNDBUF.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/model/model.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Allowed;
using internal::CheckContent;
using internal::Divergence;

bool Model::HasOob(int writer) const {
  for (const Chunk& c : dirs_[writer].queue) {
    if (c.oob) return true;
  }
  return false;
}

void Model::QueueStream(int writer, size_t got, size_t chunk, int rights,
                        bool oob) {
  Direction& d = dirs_[writer];
  const size_t plain = oob ? got - 1 : got;
  if (plain > 0) {
    d.queue.push_back(Chunk{d.next_write, plain, (plain + chunk - 1) / chunk,
                            rights, SendsCreds(writer)});
    d.next_write += plain;
  }
  if (oob) {
    // queue_oob: the new skb is oob_skb; an older one is plain data now.
    for (Chunk& c : d.queue) c.mark = false;
    Chunk c{d.next_write, 1, 1, 0, SendsCreds(writer)};
    c.oob = c.mark = true;
    d.queue.push_back(c);
    d.next_write += 1;
  }
  d.unread += got;
}

absl::Status Model::CheckOobRead(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  const int writer = 1 - op.end;
  Direction& d = dirs_[writer];
  Allowed allowed;
  Chunk* mark = nullptr;
  for (Chunk& c : d.queue) {
    if (c.mark) mark = &c;
  }
  const char* why = "";
  if (type_ != SockType::kStream) {
    allowed.Error(EOPNOTSUPP);
    why = "no out-of-band data on DGRAM and SEQPACKET";
  } else if (me.oobinline) {
    allowed.Error(EINVAL);
    why = "SO_OOBINLINE is set";
  } else if (mark == nullptr) {
    allowed.Error(EINVAL);
    why = "no out-of-band byte pending";
  } else {
    // unix_stream_recv_urg copies the byte and returns 1 whatever the size.
    allowed.Count(1, 1);
  }
  absl::Status s = allowed.Judge(op, obs, [&] {
    return mark == nullptr ? std::string(why)
                           : absl::StrFormat("the out-of-band byte at offset %d "
                                             "from %c is pending",
                                             mark->offset, EndName(writer));
  });
  if (!s.ok() || obs.ret < 0) return s;
  // No scm_recv on this path: msg_flags is MSG_OOB alone, no credentials.
  if (obs.msg_flags != MSG_OOB || obs.nfds != 0 || obs.creds != Creds::kNone) {
    return Divergence(op, absl::StrCat("expected msg_flags MSG_OOB and no "
                                       "control data, got msg_flags ",
                                       MsgFlagsString(obs.msg_flags),
                                       AncillaryString(obs)));
  }
  s = CheckContent(op, writer, mark->offset, obs.data.subspan(0, std::min<size_t>(obs.data.size(), 1)));
  if (!s.ok()) return s;
  if (!(op.flags & MSG_PEEK)) {
    mark->mark = false;
    mark->gone = true;
    d.unread -= 1;
    // Taken skbs never stand side by side: the one right before is freed
    // (observed: three bytes taken one after another, then "ab", and a
    // read returns "ab" leaving nothing queued; found by ops_fuzzer).
    for (size_t i = 1; i < d.queue.size(); ++i) {
      if (&d.queue[i] == mark && d.queue[i - 1].gone) {
        d.queue.erase(d.queue.begin() + static_cast<ptrdiff_t>(i - 1));
        break;
      }
    }
  }
  return absl::OkStatus();
}

namespace {

constexpr size_t kNoSkb = static_cast<size_t>(-1);

}  // namespace

absl::Status Model::CheckStreamReadOob(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  const int writer = 1 - op.end;
  Direction& d = dirs_[writer];
  const bool peek = op.flags & MSG_PEEK;
  if (op.call == IoCall::kPlain && op.size == 0) {
    Allowed allowed;
    allowed.Count(0, 0);
    return allowed.Judge(op, obs, [] { return std::string("read(2) of 0 bytes"); });
  }
  // The receive queue skb by skb, each with the offset of its first unread
  // byte; simulated on a copy that is adopted when the result matches.
  struct Skb {
    Chunk c;
    uint64_t start;
    size_t Len() const { return c.gone ? 0 : c.offset + c.len - start; }
  };
  std::vector<Skb> v;
  size_t dropped = 0;  // out-of-band bytes dropped unread
  for (size_t i = 0; i < d.queue.size(); ++i) {
    const Chunk& c = d.queue[i];
    v.push_back(Skb{c, i == 0 ? std::max(c.offset, d.next_read) : c.offset});
  }
  const auto any_mark = [&v] {
    for (const Skb& k : v) {
      if (k.c.mark) return true;
    }
    return false;
  };
  // manage_oob: the skb to read from at `i`, or kNoSkb.
  const auto manage = [&](size_t i, size_t copied) -> size_t {
    if (v[i].Len() > 0 && !v[i].c.mark) return i;
    if (v[i].Len() == 0) {
      if (copied > 0 && !any_mark()) return kNoSkb;
      if (peek) {
        ++i;
      } else {
        v.erase(v.begin() + static_cast<ptrdiff_t>(i));
      }
      if (i >= v.size()) return kNoSkb;
    }
    if (!v[i].c.mark) return i;
    if (copied > 0) return kNoSkb;
    if (!peek) {
      v[i].c.mark = false;
      if (!me.oobinline) {
        v.erase(v.begin() + static_cast<ptrdiff_t>(i));
        ++dropped;
        i = 0;
        if (v.empty()) return kNoSkb;
      }
    } else if (!me.oobinline) {
      if (++i >= v.size()) return kNoSkb;
    }
    return i;
  };
  size_t size = op.size, copied = 0, skip = PeekSkip(op);
  const size_t target = (op.flags & MSG_WAITALL) ? std::max<size_t>(op.size, 1) : 1;
  std::vector<std::pair<uint64_t, size_t>> segs;
  bool check_creds = false, head_creds = false, fp = false;
  Chunk rights_from{};
  int err = 0;
  bool reset_taken = false;
  int off = me.peek_off;
  bool first = true, at_top = true;
  size_t i = 0;
  for (;;) {
    if (at_top) {
      if (!first && size == 0) break;
      first = false;
      at_top = false;
      i = 0;
    }
    bool null = i >= v.size();
    if (!null) {
      const size_t m = manage(i, copied);
      if (m == kNoSkb && copied > 0) break;
      null = m == kNoSkb;
      i = m;
    }
    if (null) {
      if (copied >= target) break;
      if (me.reset) {
        err = ECONNRESET;
        reset_taken = true;
      } else if (!me.rcv_shut) {
        err = EAGAIN;
      }
      break;
    }
    bool ran_out = false;
    while (skip >= v[i].Len()) {
      skip -= v[i].Len();
      if (++i >= v.size()) {
        ran_out = true;
        break;
      }
    }
    if (ran_out) continue;  // "goto again" with no skb
    if (check_creds) {
      if (v[i].c.creds != head_creds) break;
    } else if (me.passcred) {
      head_creds = v[i].c.creds;
      check_creds = true;
    }
    const size_t chunk = std::min(v[i].Len() - skip, size);
    segs.emplace_back(v[i].start + skip, chunk);
    copied += chunk;
    size -= chunk;
    if (!peek) {
      if (off >= 0) off = std::max(0, off - static_cast<int>(chunk));
      v[i].start += chunk;
      if (v[i].c.rights > 0) {
        rights_from = v[i].c;
        fp = true;
        v[i].c.rights = 0;
      }
      if (v[i].Len() > 0) break;
      v.erase(v.begin() + static_cast<ptrdiff_t>(i));
      if (fp) break;
      at_top = true;
    } else {
      if (off >= 0) off += static_cast<int>(chunk);
      if (v[i].c.rights > 0) {
        rights_from = v[i].c;
        fp = true;
        break;
      }
      skip = 0;
      if (++i < v.size()) continue;
      break;
    }
  }
  Allowed allowed;
  if (copied > 0 || err == 0) {
    allowed.Count(copied, copied);
  } else {
    allowed.Error(err);
  }
  absl::Status s = allowed.Judge(op, obs, [&] {
    std::string q;
    for (const Chunk& c : d.queue) {
      absl::StrAppendFormat(&q, " %d+%d%s", c.offset, c.len,
                            c.gone ? "(taken)" : c.mark ? "(mark)" : c.oob ? "(oob)" : "");
    }
    return absl::StrFormat("queued from %c:%s; SO_OOBINLINE %d", EndName(writer), q,
                           me.oobinline ? 1 : 0);
  });
  if (!s.ok()) return s;
  if (obs.ret >= 0 && op.call == IoCall::kMsg) {
    const Creds creds = check_creds ? (head_creds ? Creds::kSelf : Creds::kNobody)
                        : me.passcred ? Creds::kZero
                                      : Creds::kNone;
    const Observed want = Ancillary(op, fp ? &rights_from : nullptr, creds);
    if (obs.msg_flags != want.msg_flags || !SameAncillary(obs, want)) {
      return Divergence(op, absl::StrCat("expected msg_flags ",
                                         MsgFlagsString(want.msg_flags),
                                         AncillaryString(want), ", got ",
                                         MsgFlagsString(obs.msg_flags),
                                         AncillaryString(obs)));
    }
  }
  size_t at = 0;
  for (const auto& [from, n] : segs) {
    const size_t take = std::min(n, obs.data.size() - std::min(at, obs.data.size()));
    s = CheckContent(op, writer, from, obs.data.subspan(at, take));
    if (!s.ok()) return s;
    at += n;
  }
  // Adopt: the queue as the read left it (dropped out-of-band skbs go even
  // when the read fails EAGAIN).
  if (reset_taken) me.reset = false;
  me.peek_off = off;
  if (!peek) {
    d.inq_leak += dropped;
    d.queue.clear();
    d.unread = 0;
    for (const Skb& k : v) {
      d.queue.push_back(k.c);
      d.unread += k.Len();
    }
    d.next_read = v.empty()         ? d.next_write
                  : v.front().c.gone ? v.front().c.offset + 1
                                     : v.front().start;
  }
  return absl::OkStatus();
}

absl::Status Model::CheckAtMark(const ModelOp& op, const Observed& obs) {
  if (type_ != SockType::kStream) {
    Allowed allowed;
    allowed.Error(EOPNOTSUPP);
    return allowed.Judge(op, obs, [] {
      return std::string("SIOCATMARK is for SOCK_STREAM only");
    });
  }
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  // unix_ioctl: at the mark when the head is oob_skb, or a taken (empty)
  // out-of-band skb with no mark pending or the mark right after it.
  const std::deque<Chunk>& q = dirs_[1 - op.end].queue;
  bool any_mark = false;
  for (const Chunk& c : q) any_mark |= c.mark;
  const int want = !q.empty() && (q[0].mark || (q[0].gone && (!any_mark ||
                                                  (q.size() > 1 && q[1].mark))))
                       ? 1
                       : 0;
  if (obs.value == want) return absl::OkStatus();
  return Divergence(op, absl::StrCat("expected SIOCATMARK ", want, " (",
                                     q.empty()     ? "nothing queued"
                                     : q[0].mark   ? "the out-of-band byte is next"
                                     : q[0].gone   ? "a taken out-of-band skb is next"
                                                   : "plain data is next",
                                     "), got ", obs.value));
}

absl::Status Model::CheckSetOobInline(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  ends_[op.end].oobinline = op.value != 0;
  return absl::OkStatus();
}

absl::Status Model::CheckEpollEt(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  // A new set is filled by ep_insert's own poll: the first wait reports
  // like a level-triggered one. unix_dgram_poll (DGRAM, SEQPACKET) also
  // relays the peer's wakeups and a DGRAM peer's close wakes nobody (found
  // by ops_fuzzer): not modelled, an edge may come or not.
  End::Wake wake = me.et_made ? me.et_wake : End::Wake::kSure;
  if (type_ != SockType::kStream && me.et_made) wake = End::Wake::kMaybe;
  bool must_out = false, may_out = false;
  const short want = PollMask(op.end, kEpollEtEvents, &must_out, &may_out);
  const short got = obs.revents;
  const bool mask_ok = (got & ~POLLOUT) == (want & ~POLLOUT) &&
                       ((got & POLLOUT) ? may_out : !must_out);
  const bool none_ok = wake != End::Wake::kSure || (want == 0 && !must_out);
  const bool ok = (obs.ret == 0 && none_ok) ||
                  (obs.ret == 1 && got != 0 && wake != End::Wake::kNone && mask_ok);
  if (!ok) {
    std::string expected = wake == End::Wake::kNone ? "0 (no wakeup since the last wait)"
                           : absl::StrCat("1 ", PollEventsString(want),
                                          may_out && !must_out ? " (POLLOUT optional)" : "",
                                          wake == End::Wake::kMaybe ? ", or 0 (a wakeup may have come)"
                                          : none_ok                 ? ", or 0 (nothing ready)"
                                                                    : " (woken since the last wait)");
    return Divergence(op, absl::StrCat("expected ", expected, ", got ",
                                       obs.ToString(op)));
  }
  me.et_made = true;
  me.et_wake = End::Wake::kNone;
  return absl::OkStatus();
}

void Model::NoteWakeups(const ModelOp& op, const Observed& obs) {
  const auto wake = [this](int end, End::Wake w) {
    End& x = ends_[end];
    if (!x.closed && w > x.et_wake) x.et_wake = w;
  };
  const int peer = 1 - op.end;
  // The operations that change what a waiter sees; reads of state and the
  // other options wake no one, and World's (ScopeOf) never reach a Model.
  if (op.kind == OpKind::kWrite) {
    // sk_data_ready of the peer, for any bytes queued (MSG_OOB too).
    if (obs.ret > 0) wake(peer, End::Wake::kSure);
  } else if (op.kind == OpKind::kRead) {
    // Freeing the peer's skbs calls unix_write_space, which wakes it only
    // when it is writable afterwards.
    if (!(op.flags & MSG_PEEK)) wake(peer, End::Wake::kMaybe);
  } else if (op.kind == OpKind::kShutdown) {
    // sk_state_change of both ends (sock_def_wakeup: every waiter).
    wake(op.end, End::Wake::kSure);
    wake(peer, End::Wake::kSure);
  } else if (op.kind == OpKind::kClose) {
    wake(peer, End::Wake::kSure);
  } else if (op.kind == OpKind::kSetSndbuf) {
    wake(op.end, End::Wake::kMaybe);  // sk_write_space
  }
}

}  // namespace sockspec::model
