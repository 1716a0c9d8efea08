#include "harness/exec/control.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sockspec {
namespace {

// Fixed-width native integers and length-prefixed strings: both ends are the
// same binary, so no portability concern.
class Writer {
 public:
  void Int(int64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(absl::string_view s) {
    Int(static_cast<int64_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void Id(const FileId& id) {
    Int(static_cast<int64_t>(id.dev));
    Int(static_cast<int64_t>(id.ino));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  int64_t Int() {
    int64_t v = 0;
    if (in_.size() < sizeof v) return Fail();
    memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return v;
  }
  std::string Str() {
    int64_t n = Int();
    if (n < 0 || static_cast<uint64_t>(n) > in_.size()) return Fail(), "";
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  FileId Id() {
    FileId id;
    id.dev = static_cast<uint64_t>(Int());
    id.ino = static_cast<uint64_t>(Int());
    return id;
  }
  // A count of following items; bounded by the bytes left so a corrupt
  // message cannot ask for a huge allocation.
  int64_t Count() {
    int64_t n = Int();
    if (n < 0 || static_cast<uint64_t>(n) > in_.size()) return Fail();
    return n;
  }
  absl::Status Done() const {
    if (failed_ || !in_.empty()) {
      return absl::InvalidArgumentError("malformed control message");
    }
    return absl::OkStatus();
  }

 private:
  int64_t Fail() {
    failed_ = true;
    in_ = absl::string_view();
    return 0;
  }
  absl::string_view in_;
  bool failed_ = false;
};

void PutBound(Writer& w, const std::vector<std::pair<int, std::string>>& b) {
  w.Int(b.size());
  for (const auto& [slot, addr] : b) {
    w.Int(slot);
    w.Str(addr);
  }
}

std::vector<std::pair<int, std::string>> GetBound(Reader& r) {
  std::vector<std::pair<int, std::string>> b;
  for (int64_t n = r.Count(); n > 0; --n) {
    int slot = r.Int();
    b.emplace_back(slot, r.Str());
  }
  return b;
}

void PutObservation(Writer& w, const Observation& o) {
  w.Int(o.ret);
  w.Int(o.err);
  w.Str(o.data);
  w.Int(o.msg_flags.has_value());
  w.Int(o.msg_flags.value_or(0));
  w.Int(o.value.has_value());
  w.Int(o.value.value_or(0));
  w.Int(o.addr.has_value());
  w.Str(o.addr.value_or(""));
  w.Int(o.cred.has_value());
  Cred c = o.cred.value_or(Cred{});
  w.Int(c.pid);
  w.Int(c.uid);
  w.Int(c.gid);
  w.Int(o.rights.size());
  for (const FileId& id : o.rights) w.Id(id);
  w.Int(o.cmsgs.size());
  for (const Observation::ControlMessage& c : o.cmsgs) {
    w.Int(c.level);
    w.Int(c.type);
    w.Str(c.data);
  }
  w.Int(o.messages.size());
  for (const Observation::MessageResult& m : o.messages) {
    w.Int(m.len);
    w.Str(m.data);
    w.Int(m.flags);
  }
  w.Int(o.signals.size());
  for (int s : o.signals) w.Int(s);
  w.Int(o.ready.size());
  for (const auto& [slot, events] : o.ready) {
    w.Int(slot);
    w.Int(events);
  }
  PutBound(w, o.bound);
  w.Int(o.ids.size());
  for (const auto& [slot, id] : o.ids) {
    w.Int(slot);
    w.Id(id);
  }
  w.Int(o.leaked.size());
  for (const auto& [fd, what] : o.leaked) {
    w.Int(fd);
    w.Str(what);
  }
  w.Str(o.harness_error);
}

Observation GetObservation(Reader& r) {
  Observation o;
  o.ret = r.Int();
  o.err = r.Int();
  o.data = r.Str();
  bool has = r.Int();
  int64_t v = r.Int();
  if (has) o.msg_flags = static_cast<int>(v);
  has = r.Int();
  v = r.Int();
  if (has) o.value = v;
  has = r.Int();
  std::string addr = r.Str();
  if (has) o.addr = addr;
  has = r.Int();
  Cred c;
  c.pid = r.Int();
  c.uid = r.Int();
  c.gid = r.Int();
  if (has) o.cred = c;
  for (int64_t n = r.Count(); n > 0; --n) o.rights.push_back(r.Id());
  for (int64_t n = r.Count(); n > 0; --n) {
    Observation::ControlMessage c;
    c.level = static_cast<int>(r.Int());
    c.type = static_cast<int>(r.Int());
    c.data = r.Str();
    o.cmsgs.push_back(std::move(c));
  }
  for (int64_t n = r.Count(); n > 0; --n) {
    Observation::MessageResult m;
    m.len = r.Int();
    m.data = r.Str();
    m.flags = static_cast<int>(r.Int());
    o.messages.push_back(std::move(m));
  }
  for (int64_t n = r.Count(); n > 0; --n) o.signals.push_back(r.Int());
  for (int64_t n = r.Count(); n > 0; --n) {
    int slot = r.Int();
    o.ready.emplace_back(slot, r.Int());
  }
  o.bound = GetBound(r);
  for (int64_t n = r.Count(); n > 0; --n) {
    int slot = r.Int();
    o.ids.emplace_back(slot, r.Id());
  }
  for (int64_t n = r.Count(); n > 0; --n) {
    int fd = r.Int();
    o.leaked.emplace_back(fd, r.Str());
  }
  o.harness_error = r.Str();
  return o;
}

// Reads exactly `n` bytes into `buf`, waiting until `deadline` (infinite for
// absl::InfiniteFuture()). Returns the bytes read: fewer than n on timeout.
absl::StatusOr<size_t> ReadFully(int fd, char* buf, size_t n,
                                 absl::Time deadline, bool* eof) {
  size_t got = 0;
  while (got < n) {
    if (deadline != absl::InfiniteFuture()) {
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return got;
      struct pollfd p = {fd, POLLIN, 0};
      int ms = static_cast<int>(
          std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
      int r = poll(&p, 1, ms);
      if (r < 0 && errno != EINTR) return ErrnoStatus("poll(control)", errno);
      if (r <= 0) continue;
    }
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read(control)", errno);
    }
    if (r == 0) {
      *eof = true;
      return got;
    }
    got += r;
  }
  return got;
}

absl::StatusOr<std::optional<std::string>> ReadFrameImpl(int fd,
                                                         absl::Time deadline) {
  uint32_t len = 0;
  bool eof = false;
  absl::StatusOr<size_t> got =
      ReadFully(fd, reinterpret_cast<char*>(&len), sizeof len, deadline, &eof);
  if (!got.ok()) return got.status();
  if (eof) return absl::UnavailableError("control channel closed");
  if (*got == 0) return std::optional<std::string>();
  // A frame once begun is written in one go; finish it even past the deadline
  // rather than lose sync with the stream.
  std::string body(len, '\0');
  if (*got < sizeof len) {
    got = ReadFully(fd, reinterpret_cast<char*>(&len) + *got,
                    sizeof len - *got, absl::InfiniteFuture(), &eof);
    if (!got.ok()) return got.status();
    if (eof) return absl::UnavailableError("control channel closed mid-frame");
    body.assign(len, '\0');
  }
  got = ReadFully(fd, body.data(), len, absl::InfiniteFuture(), &eof);
  if (!got.ok()) return got.status();
  if (eof) return absl::UnavailableError("control channel closed mid-frame");
  return std::optional<std::string>(std::move(body));
}

}  // namespace

std::string EncodeCommand(const PeerCommand& c) {
  Writer w;
  w.Int(static_cast<int>(c.kind));
  w.Int(c.op_index);
  PutBound(w, c.bound);
  w.Int(c.peer_pids.size());
  for (int64_t p : c.peer_pids) w.Int(p);
  w.Int(c.captures.size());
  for (const auto& [slot, value] : c.captures) {
    w.Int(slot);
    w.Int(value);
  }
  return w.Take();
}

absl::StatusOr<PeerCommand> DecodeCommand(absl::string_view bytes) {
  Reader r(bytes);
  PeerCommand c;
  int64_t kind = r.Int();
  c.kind = kind == 1 ? PeerCommand::Kind::kExit : PeerCommand::Kind::kRun;
  c.op_index = r.Int();
  c.bound = GetBound(r);
  for (int64_t n = r.Count(); n > 0; --n) c.peer_pids.push_back(r.Int());
  for (int64_t n = r.Count(); n > 0; --n) {
    const int64_t slot = r.Int();
    c.captures.emplace_back(static_cast<int>(slot), r.Int());
  }
  if (absl::Status s = r.Done(); !s.ok()) return s;
  if (kind != 0 && kind != 1) return absl::InvalidArgumentError("bad command");
  return c;
}

std::string EncodeMessage(const PeerMessage& m) {
  Writer w;
  w.Int(static_cast<int>(m.kind));
  w.Int(m.fd_arg);
  PutObservation(w, m.obs);
  return w.Take();
}

absl::StatusOr<PeerMessage> DecodeMessage(absl::string_view bytes) {
  Reader r(bytes);
  PeerMessage m;
  int64_t kind = r.Int();
  m.kind = kind == 0 ? PeerMessage::Kind::kStarting : PeerMessage::Kind::kResult;
  m.fd_arg = r.Int();
  m.obs = GetObservation(r);
  if (absl::Status s = r.Done(); !s.ok()) return s;
  if (kind != 0 && kind != 1) return absl::InvalidArgumentError("bad message");
  return m;
}

absl::Status WriteFrame(int fd, absl::string_view payload) {
  std::string frame(sizeof(uint32_t), '\0');
  uint32_t len = payload.size();
  memcpy(frame.data(), &len, sizeof len);
  frame.append(payload.data(), payload.size());
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t r = write(fd, frame.data() + done, frame.size() - done);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write(control)", errno);
    }
    done += r;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFrame(int fd) {
  absl::StatusOr<std::optional<std::string>> f =
      ReadFrameImpl(fd, absl::InfiniteFuture());
  if (!f.ok()) return f.status();
  return std::move(**f);
}

absl::StatusOr<std::optional<std::string>> ReadFrameUntil(int fd,
                                                          absl::Time deadline) {
  return ReadFrameImpl(fd, deadline);
}

absl::StatusOr<ControlPipes> ControlPipes::Make() {
  int cmd[2], res[2];
  if (pipe2(cmd, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  if (pipe2(res, O_CLOEXEC) != 0) {
    int err = errno;
    close(cmd[0]);
    close(cmd[1]);
    return ErrnoStatus("pipe2()", err);
  }
  ControlPipes p;
  p.cmd_read.reset(cmd[0]);
  p.cmd_write.reset(cmd[1]);
  p.result_read.reset(res[0]);
  p.result_write.reset(res[1]);
  return p;
}

}  // namespace sockspec
