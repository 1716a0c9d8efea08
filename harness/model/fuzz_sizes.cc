#include "harness/model/fuzz_sizes.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/model/fuzz_input.h"
#include "harness/model/model.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::FillPattern;
using model::MsgFlagsString;
using model::PatternByte;
using model::SockType;
using model::SockTypeName;
using model::SockTypeValue;
}  // namespace

namespace {

constexpr int kWriter = 0;  // the pattern's writer id; the child writes
constexpr int kDeadlineSeconds = 10;

// Blocking calls restart after a signal handler ran (libFuzzer's SIGALRM
// timer interrupts them with EINTR).
template <typename Call>
ssize_t Restarting(Call call) {
  ssize_t r;
  do {
    r = call();
  } while (r < 0 && errno == EINTR);
  return r;
}

// The child's body: every write whole, then exit. No allocation here (the
// parent may be multi-threaded under libFuzzer): `buf` is preallocated.
int WriteAll(const SizesProgram& p, int fd, uint8_t* buf) {
  uint64_t offset = 0;
  for (size_t n : p.writes) {
    FillPattern(kWriter, offset, buf, n);
    size_t done = 0;
    do {
      const ssize_t r = Restarting(
          [&] { return send(fd, buf + done, n - done, MSG_NOSIGNAL); });
      if (r < 0) return 10;
      done += static_cast<size_t>(r);
      // A datagram goes whole or not at all.
      if (p.type != SockType::kStream && done != n) return 11;
    } while (done < n);
    offset += n;
  }
  return 0;
}

absl::Status Fail(const SizesProgram& p, const std::string& what) {
  return absl::FailedPreconditionError(
      absl::StrCat("sizes_fuzzer: ", p.ToString(), ": ", what));
}

// The first byte of `data` that is not the writer's byte at `offset + i`.
std::string ContentError(absl::Span<const uint8_t> data, uint64_t offset) {
  // A block at a time; byte by byte only in the block that differs.
  uint8_t expect[4096];
  size_t from = 0;
  while (from < data.size()) {
    const size_t len = std::min(sizeof expect, data.size() - from);
    FillPattern(kWriter, offset + from, expect, len);
    if (memcmp(expect, data.data() + from, len) != 0) break;
    from += len;
  }
  for (size_t i = from; i < data.size(); ++i) {
    const uint8_t want = PatternByte(kWriter, offset + i);
    if (data[i] != want) {
      return absl::StrFormat("byte %d is 0x%02x, expected 0x%02x (stream "
                             "offset %d)",
                             i, data[i], want, offset + i);
    }
  }
  return "";
}

absl::Status ReadStream(const SizesProgram& p, int fd, uint8_t* buf) {
  uint64_t total = 0;
  for (size_t n : p.writes) total += n;
  uint64_t offset = 0;
  for (size_t k = 0;; ++k) {
    const size_t size = p.reads[k % p.reads.size()];
    const ssize_t r = Restarting([&] { return recv(fd, buf, size, 0); });
    const std::string call = absl::StrFormat("read %d (recv of %d)", k + 1, size);
    if (r < 0) {
      return Fail(p, absl::StrCat(call, " failed ", ErrnoName(errno),
                                  " at offset ", offset, " of ", total));
    }
    if (r == 0) {
      if (offset == total) return absl::OkStatus();
      return Fail(p, absl::StrCat(call, " saw EOF after ", offset,
                                  " bytes; ", total, " were written"));
    }
    if (offset + r > total) {
      return Fail(p, absl::StrCat(call, " returned ", r, " at offset ", offset,
                                  ", past the ", total, " bytes written"));
    }
    std::string bad = ContentError({buf, static_cast<size_t>(r)}, offset);
    if (!bad.empty()) return Fail(p, absl::StrCat(call, " = ", r, ": ", bad));
    offset += r;
  }
}

absl::Status ReadDatagrams(const SizesProgram& p, int fd, uint8_t* buf) {
  uint64_t offset = 0;
  const int flags = p.msg_trunc ? MSG_TRUNC : 0;
  for (size_t k = 0; k < p.writes.size(); ++k) {
    const size_t len = p.writes[k];
    const size_t size = p.reads[k % p.reads.size()];
    struct iovec iov = {buf, size};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t r = Restarting([&] { return recvmsg(fd, &msg, flags); });
    const std::string call = absl::StrFormat(
        "read %d (recvmsg of %d) of write %d (%d bytes)", k + 1, size, k + 1,
        len);
    if (r < 0) return Fail(p, absl::StrCat(call, " failed ", ErrnoName(errno)));
    const size_t copied = std::min(size, len);
    const size_t want = p.msg_trunc ? len : copied;
    const int want_flags = copied < len ? MSG_TRUNC : 0;
    if (static_cast<size_t>(r) != want || msg.msg_flags != want_flags) {
      return Fail(p, absl::StrFormat("%s returned %d msg_flags %s, expected "
                                     "%d msg_flags %s",
                                     call, r, MsgFlagsString(msg.msg_flags),
                                     want, MsgFlagsString(want_flags)));
    }
    std::string bad = ContentError({buf, copied}, offset);
    if (!bad.empty()) return Fail(p, absl::StrCat(call, ": ", bad));
    offset += len;
  }
  // Nothing more: SEQPACKET reads EOF once the writer is gone; DGRAM has no
  // EOF, so a non-blocking read must find the queue empty.
  const bool seq = p.type == SockType::kSeqpacket;
  const ssize_t r =
      Restarting([&] { return recv(fd, buf, 1, seq ? 0 : MSG_DONTWAIT); });
  if (seq ? r != 0 : !(r < 0 && errno == EAGAIN)) {
    return Fail(p, absl::StrFormat(
                       "after all %d datagrams a read returned %s, expected %s",
                       p.writes.size(),
                       r < 0 ? absl::StrCat("-1 ", ErrnoName(errno))
                             : absl::StrCat(r),
                       seq ? "0 (EOF)" : "-1 EAGAIN"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SizesProgram::ToString() const {
  return absl::StrCat(SockTypeName(type), msg_trunc ? " (MSG_TRUNC)" : "",
                      ", writes [", absl::StrJoin(writes, ", "), "], reads [",
                      absl::StrJoin(reads, ", "), "]");
}

SizesProgram DecodeSizes(absl::Span<const uint8_t> data) {
  FuzzInput in(data);
  SizesProgram p;
  const uint8_t head = in.Byte();
  p.type = static_cast<SockType>((head & 3) % 3);
  p.msg_trunc = head & 4;
  const size_t nwrites = in.Byte() % (kMaxSizesWrites + 1);
  size_t total = 0;
  for (size_t i = 0; i < nwrites && !in.empty(); ++i) {
    size_t n = in.Size();
    if (p.type == SockType::kStream) {
      n = std::min(n, kMaxStreamBytes - total);
      total += n;
    } else {
      n = std::min(n, kMaxDatagram);
    }
    p.writes.push_back(n);
  }
  while (!in.empty() && p.reads.size() < kMaxSizesReads) {
    size_t n = std::min(in.Size(), kMaxStreamBytes);
    if (p.type == SockType::kStream && n == 0) n = 1;
    p.reads.push_back(n);
  }
  if (p.reads.empty()) p.reads.push_back(4096);
  return p;
}

absl::Status RunSizes(const SizesProgram& p) {
  absl::StatusOr<std::pair<UniqueFd, UniqueFd>> pair =
      UniqueFd::SocketPair(AF_UNIX, SockTypeValue(p.type) | SOCK_CLOEXEC);
  if (!pair.ok()) return absl::InternalError(pair.status().message());
  UniqueFd reader = std::move(pair->first);
  UniqueFd writer = std::move(pair->second);
  const struct timeval deadline = {kDeadlineSeconds, 0};
  if (setsockopt(reader.get(), SOL_SOCKET, SO_RCVTIMEO, &deadline,
                 sizeof deadline) != 0 ||
      setsockopt(writer.get(), SOL_SOCKET, SO_SNDTIMEO, &deadline,
                 sizeof deadline) != 0) {
    return absl::InternalError(ErrnoStatus("setsockopt()", errno).message());
  }
  size_t largest = 1;
  for (size_t n : p.writes) largest = std::max(largest, n);
  for (size_t n : p.reads) largest = std::max(largest, n);
  std::vector<uint8_t> wbuf(largest), rbuf(largest);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    close(reader.get());
    return WriteAll(p, writer.get(), wbuf.data());
  });
  if (!child.ok()) return absl::InternalError(child.status().message());
  writer.reset();  // EOF comes when the child's copy closes
  absl::Status s = p.type == SockType::kStream
                       ? ReadStream(p, reader.get(), rbuf.data())
                       : ReadDatagrams(p, reader.get(), rbuf.data());
  if (!s.ok()) return s;
  reader.reset();
  absl::StatusOr<ExitStatus> exit = child->Wait();
  if (!exit.ok()) return absl::InternalError(exit.status().message());
  if (!exit->Success()) {
    return Fail(p, absl::StrCat("the writer ", exit->ToString(),
                                " (10: a send failed, 11: a datagram was "
                                "sent in part)"));
  }
  return absl::OkStatus();
}

}  // namespace sockspec
