// What the model would accept, as a list of answers rather than a verdict:
// the expectation of a generated case's divergent step (fuzz/crash_to_case).
// Check stays the only statement of the rules: every answer listed here is a
// candidate that a copy of the model accepted, so the two cannot drift apart.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>

#include "harness/model/model.h"

namespace sockspec::model {
namespace {

// Every errno a socketpair operation of the model can give.
constexpr int kErrnos[] = {EAGAIN,   EPIPE,    ECONNRESET, ECONNREFUSED,
                           ENOTCONN, EMSGSIZE, EINVAL,     ENOBUFS};

bool SameAnswer(const AllowedResult& x, const Observed& o) {
  const Observed& r = x.result;
  return r.ret == o.ret && r.err == o.err && r.msg_flags == o.msg_flags &&
         r.sigpipe == o.sigpipe && r.revents == o.revents &&
         r.sndbuf == o.sndbuf && r.value == o.value && SameAncillary(r, o);
}

}  // namespace

uint64_t Model::ReadOffset(const ModelOp& op) const {
  const Direction& d = dirs_[1 - op.end];
  size_t skip = 0;
  if (type_ == SockType::kStream) return d.next_read + PeekSkip(op);
  const int i = DgramPick(op, &skip);
  return i < 0 ? d.next_read : d.queue[static_cast<size_t>(i)].offset + skip;
}

uint64_t Model::NextReadOffset(int reader) const {
  const Direction& d = dirs_[1 - reader];
  if (type_ != SockType::kStream && !d.queue.empty()) {
    return d.queue.front().offset;
  }
  return d.next_read;
}

std::vector<AllowedResult> Model::AllowedResults(const ModelOp& op) const {
  std::vector<AllowedResult> out;
  if (op.end < 0 || op.end > 1 || ends_[op.end].closed) return out;
  const auto accepts = [&](const Observed& o) {
    Model copy = *this;
    return copy.Check(op, o).ok();
  };
  const auto add = [&](Observed o, ssize_t max_ret) {
    for (const AllowedResult& x : out) {
      if (SameAnswer(x, o)) return;
    }
    o.data = {};
    out.push_back(AllowedResult{o, std::max(max_ret, o.ret)});
  };
  for (int err : kErrnos) {
    for (bool sigpipe : {false, true}) {
      if (sigpipe && op.kind != OpKind::kWrite) continue;
      Observed o;
      o.ret = -1;
      o.err = err;
      o.sigpipe = sigpipe;
      if (accepts(o)) add(o, -1);
    }
  }
  switch (op.kind) {
    case OpKind::kWrite: {
      // A count is allowed in one interval [lo, op.size] (or exactly 0).
      Observed o;
      o.ret = static_cast<ssize_t>(op.size);
      if (!accepts(o)) break;
      size_t lo = 0, hi = op.size;  // answer in [lo, hi]; hi is accepted
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        o.ret = static_cast<ssize_t>(mid);
        if (accepts(o)) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      o.ret = static_cast<ssize_t>(lo);
      add(o, static_cast<ssize_t>(op.size));
      break;
    }
    case OpKind::kRead: {
      const Direction& d = dirs_[1 - op.end];
      std::vector<size_t> counts = {0, std::min(op.size, d.unread)};
      if (!d.queue.empty()) {
        counts.push_back(std::min(op.size, d.queue.front().len));
        counts.push_back(d.queue.front().len);
      }
      if (type_ == SockType::kStream) {
        int rights = -1, head = -1;
        counts.push_back(StreamReadLen(op, &rights, &head));
      } else {
        size_t skip = 0;
        const int i = DgramPick(op, &skip);
        if (i >= 0) {
          const size_t left = d.queue[static_cast<size_t>(i)].len - skip;
          counts.push_back(std::min(op.size, left));
          counts.push_back(left);
        }
      }
      std::vector<uint8_t> data;
      for (size_t n : counts) {
        const size_t copied = std::min(n, op.size);
        data.resize(copied);
        FillPattern(1 - op.end, ReadOffset(op), data.data(), copied);
        // msg_flags and control messages as the model expects them for
        // this count (ExpectedAncillary is what Check compares with).
        Observed r = ExpectedAncillary(op, static_cast<ssize_t>(n));
        r.ret = static_cast<ssize_t>(n);
        r.data = absl::MakeConstSpan(data);
        if (accepts(r)) add(r, r.ret);
      }
      break;
    }
    case OpKind::kPoll:
    case OpKind::kEpoll: {
      constexpr short kBits[] = {POLLIN, POLLOUT, POLLRDHUP, POLLHUP, POLLERR};
      for (int mask = 0; mask < 32; ++mask) {
        Observed o;
        for (int i = 0; i < 5; ++i) {
          if (mask & (1 << i)) o.revents |= kBits[i];
        }
        if (accepts(o)) add(o, 0);
      }
      break;
    }
    case OpKind::kSetSndbuf: {
      // sock_setsockopt's rule, confirmed by Check below.
      const uint64_t capped = std::min<uint64_t>(
          static_cast<uint32_t>(op.value), limits_.wmem_max);
      Observed o;
      o.sndbuf = static_cast<int>(
          std::max<uint64_t>(capped * 2, limits_.min_sndbuf));
      if (accepts(o)) add(o, 0);
      break;
    }
    case OpKind::kGetError:
      for (int value : {0, ECONNRESET}) {
        Observed o;
        o.value = value;
        if (accepts(o)) add(o, 0);
      }
      break;
    case OpKind::kInq: {
      // unix_inq_len's rule, confirmed by Check.
      const Direction& d = dirs_[1 - op.end];
      Observed o;
      o.value = static_cast<int>(type_ != SockType::kDgram ? d.unread + d.inq_leak
                                 : d.queue.empty()          ? 0
                                                            : d.queue.front().len);
      if (accepts(o)) add(o, 0);
      break;
    }
    case OpKind::kGetOpt: {
      const End& me = ends_[op.end];
      for (int value : {me.sndbuf, limits_.default_rcvbuf, SockTypeValue(type_),
                        me.passcred ? 1 : 0, me.peek_off, static_cast<int>(AF_UNIX)}) {
        Observed o;
        o.value = value;
        if (accepts(o)) add(o, 0);
      }
      break;
    }
    case OpKind::kAtMark:
      for (int value : {0, 1}) {
        Observed o;
        o.value = value;
        if (accepts(o)) add(o, 0);
      }
      break;
    case OpKind::kEpollEt: {
      // No event, or one of the poll masks.
      Observed none;
      if (accepts(none)) add(none, 0);
      constexpr short kBits[] = {POLLIN, POLLPRI, POLLOUT, POLLRDHUP, POLLHUP, POLLERR};
      for (int mask = 1; mask < 64; ++mask) {
        Observed o;
        o.ret = 1;
        for (int i = 0; i < 6; ++i) {
          if (mask & (1 << i)) o.revents |= kBits[i];
        }
        if (accepts(o)) add(o, 1);
      }
      break;
    }
    case OpKind::kSetOobInline:
    case OpKind::kSetPasscred:
    case OpKind::kSetPeekOff:
    case OpKind::kShutdown:
    case OpKind::kClose: {
      Observed o;
      if (accepts(o)) add(o, 0);
      break;
    }
    SOCKSPEC_WORLD_OP_CASES:
      break;  // World's operations: Check rejects them on a pair

  }
  return out;
}

}  // namespace sockspec::model
