// A reference model of a connected AF_UNIX socketpair on Linux: it judges the
// result of each operation on either end, data content included, and then
// adopts the observed result ("judge then adopt"), so where the kernel may
// legitimately choose (how much a non-blocking write accepts near a full
// buffer) any allowed choice passes and the model follows it.
//
//   Model model(SockType::kStream);
//   ModelOp op = ModelOp::Write(0, 100, MSG_NOSIGNAL);
//   absl::Status verdict = model.Check(op, observed);  // OK or the reason
//
// Every byte written carries its position: PatternByte(writer, offset) with
// the offset in that direction's stream of bytes, so merged, split, lost,
// duplicated and reordered data all show up as content mismatches.
#ifndef SOCKSPEC_HARNESS_MODEL_MODEL_H_
#define SOCKSPEC_HARNESS_MODEL_MODEL_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "harness/model/model_types.h"

namespace sockspec::model {

// The byte at `offset` of the stream written by end `writer` (0 = a, 1 = b).
// Adjacent bytes always differ, a shift by less than 256 always changes the
// byte, so a lost or duplicated byte is caught at the first byte after it;
// the two directions step by different odd numbers, so a run of bytes tells
// which end wrote it. Named sockets (world.h) write as their index 0..7:
// writers 1..7 step alike and differ by a multiple of 101 (mod 256) at
// every offset, so a datagram's bytes also tell which of them sent it.
inline uint8_t PatternByte(int writer, uint64_t offset) {
  return static_cast<uint8_t>(offset * (writer == 0 ? 167 : 73) +
                              (offset >> 8) * 89 + (offset >> 16) * 13 +
                              writer * 101);
}

// Writes PatternByte(writer, offset + i) to out[i] for i < n.
void FillPattern(int writer, uint64_t offset, uint8_t* out, size_t n);

// Kernel limits the model needs. The defaults are this machine's:
// /proc/sys/net/core/wmem_default, wmem_max and SOCK_MIN_SNDBUF (what
// SO_SNDBUF 0 reads back as).
struct ModelLimits {
  int default_sndbuf = 212992;
  int wmem_max = 4194304;
  int min_sndbuf = 4608;
  int default_rcvbuf = 212992;  // rmem_default: what SO_RCVBUF reads
  // /proc/sys/net/unix/max_dgram_qlen: a datagram socket's receive queue
  // takes one more than this before a sender gets EAGAIN (world.h).
  int max_dgram_qlen = 10;

  // The limits of the running kernel: reads /proc and probes a socket.
  // Returns the defaults above where a probe fails.
  static ModelLimits FromKernel();
};

// One kind of answer the model allows for an operation (Model::AllowedResults):
// `result`, or when max_ret > result.ret any count in [result.ret, max_ret].
// A read's data is min(ret, op.size) bytes of the peer's stream from
// Model::NextReadOffset; `result.data` is left empty.
struct AllowedResult {
  Observed result;
  ssize_t max_ret = 0;
};

class Model {
 public:
  explicit Model(SockType type, ModelLimits limits = {});

  SockType type() const { return type_; }
  bool closed(int end) const { return ends_[end].closed; }
  // The stream offset of the next byte `end` writes: the data of the next
  // write starts with PatternByte(end, NextWriteOffset(end)).
  uint64_t NextWriteOffset(int end) const { return dirs_[end].next_write; }
  // The stream offset, in the peer's bytes, of the data the next read on
  // `reader` returns (a datagram's first byte): a correct read returns
  // PatternByte(1 - reader, NextReadOffset(reader) + i).
  uint64_t NextReadOffset(int reader) const;
  // Writes (stream) or datagrams `writer` has queued that the peer has not
  // read yet, whole or in part: 0 once the peer has read everything, which
  // frees all of the writer's send buffer (blocking_fuzzer's writers).
  size_t QueuedChunks(int writer) const { return dirs_[writer].queue.size(); }
  // A lower bound on `end`'s sk_wmem_alloc (WmemLow), and its SO_SNDBUF: a
  // writer asleep on a full buffer is not woken while the bound stays above
  // half of SO_SNDBUF (unix_writable wakes it at a quarter).
  size_t WmemLowBound(int end) const { return WmemLow(end); }
  int sndbuf(int end) const { return ends_[end].sndbuf; }
  // The stream offset, in the peer's bytes, of the data read `op` returns:
  // NextReadOffset, or for a MSG_PEEK under SO_PEEK_OFF the data that far
  // in (a datagram's first byte past the offset).
  uint64_t ReadOffset(const ModelOp& op) const;

  // The answers Check would accept for `op` now, found by judging candidate
  // results on copies of this model (model_allowed.cc): errnos, counts (a
  // write's range of partial counts), read data, msg_flags, SIGPIPE, every
  // combination of poll bits. Empty if `op` names a closed end. Slow (it
  // copies the model per candidate): for reports, not for the fuzz loop.
  std::vector<AllowedResult> AllowedResults(const ModelOp& op) const;

  // Judges `observed` as the result of `op`. Returns OK when the semantics
  // allow it; otherwise a FailedPrecondition status whose message says what
  // was allowed and what differs ("read(b, 10): expected 5 bytes ..., got
  // -1 EAGAIN"). Either way the model then follows the observed result as far
  // as it can. InvalidArgument if `op` names a closed end.
  absl::Status Check(const ModelOp& op, const Observed& observed);

  // Adopts the release of `end` as a never-accepted socket (a listener
  // closed with the connection queued; world.h): unix_release_sock with
  // embrion set resets the peer (ECONNRESET, shut down both ways) even when
  // no data is left unread.
  void ReleaseEmbryo(int end);

 private:
  // Bytes one end has written that the other has not read yet. A stream
  // write is one Chunk (it may be several skbs); a datagram is one Chunk.
  struct Chunk {
    uint64_t offset;
    size_t len;
    size_t skbs;     // upper bound on the skbs it took (stream)
    int rights = 0;  // fds passed with it (tokens RightsToken(offset, i))
    bool creds = false;  // it carries this process's credentials
    bool peeked = false;  // a MSG_PEEK returned it (matters at length 0)
    // Stream out-of-band data (model_oob.cc): the 1-byte skb that the last
    // byte of a MSG_OOB write makes; `mark` while it is the receiver's
    // oob_skb (a newer one turns it into plain data), `gone` once
    // recv(MSG_OOB) took its byte (the skb stays queued with length 0).
    bool oob = false;
    bool mark = false;
    bool gone = false;
  };
  struct Direction {
    std::deque<Chunk> queue;
    uint64_t next_write = 0;  // offset of the next byte written
    uint64_t next_read = 0;   // stream: offset of the next byte to read
    size_t unread = 0;        // bytes still queued
    // Out-of-band bytes a plain read dropped (manage_oob): 6.18 leaves each
    // counted in the reader's SIOCINQ for good (model_oob.cc).
    size_t inq_leak = 0;
  };
  struct End {
    bool closed = false;
    bool rcv_shut = false;  // RCV_SHUTDOWN, own or from the peer
    bool snd_shut = false;  // SEND_SHUTDOWN, own or from the peer
    bool reset = false;     // sk_err == ECONNRESET pending
    bool disconnected = false;  // DGRAM: the peer pointer was dropped
    int sndbuf = 0;
    bool passcred = false;  // SO_PASSCRED
    int peek_off = -1;      // SO_PEEK_OFF; below 0 no offset
    bool oobinline = false;  // SO_OOBINLINE
    // kEpollEt: whether the end's epoll set exists, and whether a wakeup
    // of the end's wait queue that matches its events has (kSure) or may
    // have (kMaybe) happened since the last epoll_wait.
    bool et_made = false;
    enum class Wake { kNone, kMaybe, kSure } et_wake = Wake::kNone;
  };

  // Check without the bookkeeping of wakeups.
  absl::Status CheckOp(const ModelOp& op, const Observed& obs);
  absl::Status CheckWrite(const ModelOp& op, const Observed& obs);
  absl::Status CheckStreamWrite(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramWrite(const ModelOp& op, const Observed& obs);
  absl::Status CheckRead(const ModelOp& op, const Observed& obs);
  absl::Status CheckStreamRead(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramRead(const ModelOp& op, const Observed& obs);
  absl::Status CheckShutdown(const ModelOp& op, const Observed& obs);
  absl::Status CheckClose(const ModelOp& op, const Observed& obs);
  absl::Status CheckSetSndbuf(const ModelOp& op, const Observed& obs);
  absl::Status CheckPoll(const ModelOp& op, const Observed& obs);
  absl::Status CheckGetError(const ModelOp& op, const Observed& obs);
  absl::Status CheckInq(const ModelOp& op, const Observed& obs);
  absl::Status CheckSetPasscred(const ModelOp& op, const Observed& obs);
  absl::Status CheckGetOpt(const ModelOp& op, const Observed& obs);
  absl::Status CheckSetPeekOff(const ModelOp& op, const Observed& obs);
  // model_oob.cc: MSG_OOB, SIOCATMARK, SO_OOBINLINE, EPOLLET.
  absl::Status CheckOobWrite(const ModelOp& op, const Observed& obs);
  absl::Status CheckOobRead(const ModelOp& op, const Observed& obs);
  absl::Status CheckAtMark(const ModelOp& op, const Observed& obs);
  absl::Status CheckSetOobInline(const ModelOp& op, const Observed& obs);
  absl::Status CheckEpollEt(const ModelOp& op, const Observed& obs);
  // A stream read while out-of-band skbs are queued for op.end: follows
  // unix_stream_read_generic and manage_oob skb by skb.
  absl::Status CheckStreamReadOob(const ModelOp& op, const Observed& obs);
  // Whether skbs from a MSG_OOB write are queued in direction `writer`.
  bool HasOob(int writer) const;
  // Queues a stream write of `got` bytes by `writer`; the last byte is an
  // out-of-band skb when `oob` (its predecessor turns into plain data).
  void QueueStream(int writer, size_t got, size_t chunk, int rights, bool oob);
  // Records the wakeups of the ends' wait queues that `op`, which gave
  // `obs`, caused (for kEpollEt).
  void NoteWakeups(const ModelOp& op, const Observed& obs);
  // The poll mask of `end` for `events` (POLLOUT aside) and whether POLLOUT
  // must / may be in it (model_poll.cc).
  short PollMask(int end, short events, bool* must_out, bool* may_out) const;

  // The bytes a MSG_PEEK of `op` skips under SO_PEEK_OFF (0 otherwise).
  size_t PeekSkip(const ModelOp& op) const;
  // Stream: how many bytes a read of `op` takes from PeekSkip on, the index
  // in the queue of the chunk whose fds it receives (-1: none) and of the
  // chunk it starts in (whose credentials it gets), by
  // unix_stream_read_generic's walk of the queue.
  size_t StreamReadLen(const ModelOp& op, int* rights, int* head) const;
  // Datagrams: the index of the message a read of `op` returns (-1: none)
  // and the bytes of it skipped (__skb_try_recv_from_queue's peek offset).
  int DgramPick(const ModelOp& op, size_t* skip) const;
  // What a recvmsg of `op` that received the fds of `from` (or none) and
  // credentials `creds` reports: MSG_CTRUNC in msg_flags, the fds and the
  // credentials that fit its control buffer (scm_recv, put_cmsg,
  // scm_detach_fds).
  static Observed Ancillary(const ModelOp& op, const Chunk* from, Creds creds);
  // The msg_flags and ancillary data a read of `op` that returned `ret` must
  // report, from the model's state before it.
  Observed ExpectedAncillary(const ModelOp& op, ssize_t ret) const;
  // Judges `obs`'s msg_flags and ancillary data (recvmsg only); `why`
  // explains the expectation in a mismatch report, and is called only then
  // (a datagram read formats its sizes there, not on every read).
  absl::Status CheckAncillary(const ModelOp& op, const Observed& obs,
                              absl::FunctionRef<std::string()> why) const;

  // Bounds on sk_wmem_alloc of `end`: the truesize of everything it has
  // written that is still queued at the peer.
  size_t WmemLow(int end) const;
  size_t WmemHigh(int end) const;
  // Whether what `writer` sends now carries its credentials.
  bool SendsCreds(int writer) const;
  // Drops everything queued for `reader` (its receive queue is purged).
  void Purge(int reader);
  // Consumes `n` bytes of a stream direction.
  void ConsumeStream(Direction& d, size_t n);

  SockType type_;
  ModelLimits limits_;
  End ends_[2];
  Direction dirs_[2];  // indexed by the writing end
};

}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_MODEL_H_
