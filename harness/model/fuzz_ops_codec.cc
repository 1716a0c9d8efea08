// The two input encodings of ops_fuzzer (fuzz_ops.h documents both): the
// original one, kept byte for byte, and version 1, whose operations carry
// their length so that a code a decoder does not know is skipped.
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "harness/model/fuzz_input.h"
#include "harness/model/fuzz_ops.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::IoCall;
using model::ModelOp;
using model::OpKind;
using model::SockType;
}  // namespace

namespace {

constexpr IoCall kFuzzCalls[] = {IoCall::kSend, IoCall::kPlain, IoCall::kMsg};

// Operation codes of version 1; kOpCodesInVersion[V] are defined in version
// V. A new operation takes the next code and a new version: an input of an
// older version keeps skipping it.
enum OpCode : uint8_t {
  kCodeWrite = 0,
  kCodeRead = 1,
  kCodeShutdown = 2,
  kCodePoll = 3,
  kCodeSndbuf = 4,
  kCodeClose = 5,
  kCodeGetError = 6,  // version 2
  kCodeInq = 7,       // version 2
  kCodeWriteRights = 8,   // version 3
  kCodeReadControl = 9,   // version 3
  kCodePasscred = 10,     // version 3
  kCodeEpoll = 11,        // version 3
  kCodeGetOpt = 12,       // version 3
  kCodePeekOff = 13,      // version 3
  // Codes 14 and 15 are version 3's too, not defined yet: skipped.
  kCodeSocket = 16,   // version 4: named sockets (world.h)
  kCodeBind = 17,
  kCodeListen = 18,
  kCodeConnect = 19,
  kCodeAccept = 20,
  kCodeGetName = 21,
  kCodeAt = 22,       // a pair operation (codes 0..7) on a named socket
  kCodeSendTo = 23,
  kCodeRecvFrom = 24,
  kCodeWriteOob = 25,  // version 5: out-of-band data, on the pair
  kCodeReadOob = 26,
  kCodeAtMark = 27,
  kCodeOobInline = 28,
  kCodeEpollEt = 29,
};
// The codes each version defines: 0..N-1, less the undefined 14 and 15.
constexpr uint8_t kOpCodesInVersion[] = {6, 6, 8, 14, 25, 30};
constexpr uint8_t kFirstNamedCode = kCodeSocket;
constexpr uint8_t kFirstOobCode = kCodeWriteOob;
constexpr int kFirstNamed = 2;  // s2: the first named socket

ModelOp DecodeWrite(FuzzInput& in, int end) {
  const size_t size = in.Size();
  const uint8_t f = in.Byte();
  return ModelOp::Write(
      end, size, ((f & 1) ? MSG_DONTWAIT : 0) | ((f & 2) ? MSG_NOSIGNAL : 0),
      kFuzzCalls[(f >> 2) % 3]);
}

int ReadFlags(uint8_t f) {
  return ((f & 1) ? MSG_PEEK : 0) | ((f & 2) ? MSG_TRUNC : 0) |
         ((f & 4) ? MSG_DONTWAIT : 0) | ((f & 8) ? MSG_WAITALL : 0);
}

ModelOp DecodeRead(FuzzInput& in, int end) {
  const size_t size = in.Size();
  const uint8_t f = in.Byte();
  return ModelOp::Read(end, size, ReadFlags(f), kFuzzCalls[(f >> 4) % 3]);
}

// A sendmsg with SCM_RIGHTS: a size byte (so a stream write is one skb), the
// flags byte of a write, then the number of fds, 1 + byte % kMaxRights.
ModelOp DecodeWriteRights(FuzzInput& in, int end) {
  const size_t size = in.Byte();
  const uint8_t f = in.Byte();
  const int rights = 1 + in.Byte() % model::kMaxRights;
  return ModelOp::WriteRights(
      end, size, ((f & 1) ? MSG_DONTWAIT : 0) | ((f & 2) ? MSG_NOSIGNAL : 0),
      rights);
}

// A recvmsg with a control buffer: SIZE, the flags byte of a read (its call
// bits unused), then the control buffer's length in bytes (0: NULL).
ModelOp DecodeReadControl(FuzzInput& in, int end) {
  const size_t size = in.Size();
  const uint8_t f = in.Byte();
  return ModelOp::ReadControl(end, size, ReadFlags(f), in.Byte());
}

// Keeps `op` unless its end is closed; true once both ends are.
bool Append(OpsProgram& p, const ModelOp& op, bool closed[2]) {
  if (!closed[op.end]) {
    if (op.kind == OpKind::kClose) closed[op.end] = true;
    p.ops.push_back(op);
  }
  return closed[0] && closed[1];
}

OpsProgram DecodeVersion0(absl::Span<const uint8_t> data) {
  FuzzInput in(data);
  OpsProgram p;
  p.type = static_cast<SockType>(in.Byte() % 3);
  bool closed[2] = {false, false};
  while (!in.empty() && p.ops.size() < kMaxFuzzOps) {
    const uint8_t c = in.Byte();
    const int end = c & 1;
    ModelOp op;
    switch ((c >> 1) & 7) {
      case 0:
      case 1:
        op = DecodeWrite(in, end);
        break;
      case 2:
      case 3:
        op = DecodeRead(in, end);
        break;
      case 4:
        op = ModelOp::Shutdown(end, in.Byte() % 3);
        break;
      case 5:
        op = ModelOp::Poll(end);
        break;
      case 6:
        op = ModelOp::SetSndbuf(end, in.U16() * 4);
        break;
      default:
        op = ModelOp::Close(end);
        break;
    }
    if (Append(p, op, closed)) break;
  }
  return p;
}

// The sockets a version 4 program has made, as far as decoding knows:
// socket() and accept() take the lowest free index, close frees it (a
// failed accept leaves its index to ops that fail EBADF).
struct NamedSlots {
  bool used[model::kMaxSockets] = {true, true};
  int Free() const {
    for (int s = kFirstNamed; s < model::kMaxSockets; ++s) {
      if (!used[s]) return s;
    }
    return -1;
  }
  // The named socket an argument byte picks, or -1 if it is not open.
  int Pick(uint8_t b) const {
    const int s = kFirstNamed + b % (model::kMaxSockets - kFirstNamed);
    return used[s] ? s : -1;
  }
};

// The pair operation of `code` on socket `end`; false for another code.
bool DecodePairOp(uint8_t code, FuzzInput& a, int end, ModelOp& op) {
  switch (static_cast<OpCode>(code)) {
    case kCodeWrite:
      op = DecodeWrite(a, end);
      return true;
    case kCodeRead:
      op = DecodeRead(a, end);
      return true;
    case kCodeShutdown:
      op = ModelOp::Shutdown(end, a.Byte() % 3);
      return true;
    case kCodePoll:
      op = ModelOp::Poll(end);
      return true;
    case kCodeSndbuf:
      op = ModelOp::SetSndbuf(end, a.U16() * 4);
      return true;
    case kCodeClose:
      op = ModelOp::Close(end);
      return true;
    case kCodeGetError:
      op = ModelOp::GetError(end);
      return true;
    case kCodeInq:
      op = ModelOp::Inq(end);
      return true;
    case kCodeWriteRights:
      op = DecodeWriteRights(a, end);
      return true;
    case kCodeReadControl:
      op = DecodeReadControl(a, end);
      return true;
    case kCodePasscred:
      op = ModelOp::SetPasscred(end, a.Byte() & 1);
      return true;
    case kCodeEpoll:
      op = ModelOp::Epoll(end);
      return true;
    case kCodePeekOff:
      op = ModelOp::SetPeekOff(end, static_cast<int16_t>(a.U16()));
      return true;
    case kCodeGetOpt:
      op = ModelOp::GetOpt(end, static_cast<model::SockOpt>(a.Byte() % model::kSockOpts));
      return true;
    case kCodeWriteOob: {
      const ModelOp w = DecodeWrite(a, end);
      op = ModelOp::WriteOob(end, w.size, w.flags);
      return true;
    }
    case kCodeReadOob: {
      const size_t size = a.Size();
      op = ModelOp::ReadOob(end, size, (a.Byte() & 1) != 0);
      return true;
    }
    case kCodeAtMark:
      op = ModelOp::AtMark(end);
      return true;
    case kCodeOobInline:
      op = ModelOp::SetOobInline(end, a.Byte() & 1);
      return true;
    case kCodeEpollEt:
      op = ModelOp::EpollEt(end);
      return true;
    case kCodeSocket:
    case kCodeBind:
    case kCodeListen:
    case kCodeConnect:
    case kCodeAccept:
    case kCodeGetName:
    case kCodeAt:
    case kCodeSendTo:
    case kCodeRecvFrom:
      break;
  }
  return false;
}

// A version 4 operation (code >= kFirstNamedCode); false if it names a
// socket that is not open or there is no free index for a new one.
bool DecodeNamedOp(uint8_t code, FuzzInput& a, NamedSlots& slots, ModelOp& op) {
  if (code == kCodeSocket || code == kCodeAccept) {
    const int slot = slots.Free();
    if (slot < 0) return false;
    if (code == kCodeSocket) {
      op = ModelOp::Socket(slot, static_cast<SockType>(a.Byte() % 3));
    } else {
      const int listener = slots.Pick(a.Byte());
      if (listener < 0) return false;
      op = ModelOp::Accept(listener, slot);
    }
    slots.used[slot] = true;
    return true;
  }
  const int s = slots.Pick(a.Byte());
  if (s < 0) return false;
  switch (static_cast<OpCode>(code)) {
    case kCodeBind:
      op = ModelOp::Bind(s, a.Byte() % (model::kNames + 1));
      return true;
    case kCodeListen:
      op = ModelOp::Listen(s, a.Byte() % 4);
      return true;
    case kCodeConnect:
      op = ModelOp::Connect(s, a.Byte() % (model::kNames + 1));
      return true;
    case kCodeSendTo: {
      const int name = a.Byte() % model::kNames;
      const ModelOp w = DecodeWrite(a, s);
      op = ModelOp::SendTo(s, w.size, w.call == IoCall::kPlain ? 0 : w.flags, name);
      return true;
    }
    case kCodeRecvFrom: {
      const ModelOp r = DecodeRead(a, s);
      op = ModelOp::RecvFrom(s, r.size, r.call == IoCall::kPlain ? 0 : r.flags);
      return true;
    }
    case kCodeGetName:
      op = ModelOp::GetName(s, (a.Byte() & 1) != 0);
      return true;
    case kCodeAt: {
      // Not shutdown nor SO_SNDBUF: World models them only in a connection.
      const uint8_t inner = a.Byte() >> 1;
      if (inner >= kOpCodesInVersion[2] || inner == kCodeShutdown ||
          inner == kCodeSndbuf || !DecodePairOp(inner, a, s, op)) {
        return false;
      }
      if (op.kind == OpKind::kClose) slots.used[s] = false;
      return true;
    }
    case kCodeWrite:
    case kCodeRead:
    case kCodeShutdown:
    case kCodePoll:
    case kCodeSndbuf:
    case kCodeClose:
    case kCodeGetError:
    case kCodeInq:
    case kCodeWriteRights:
    case kCodeReadControl:
    case kCodePasscred:
    case kCodeEpoll:
    case kCodePeekOff:
    case kCodeGetOpt:
    case kCodeSocket:
    case kCodeAccept:
    case kCodeWriteOob:
    case kCodeReadOob:
    case kCodeAtMark:
    case kCodeOobInline:
    case kCodeEpollEt:
      break;
  }
  return false;
}

OpsProgram DecodeVersion1(absl::Span<const uint8_t> data, int version) {
  const uint8_t codes = kOpCodesInVersion[std::min<size_t>(
      version, sizeof kOpCodesInVersion - 1)];
  FuzzInput in(data);
  OpsProgram p;
  p.type = static_cast<SockType>(in.Byte() % 3);
  bool closed[2] = {false, false};
  NamedSlots slots;
  size_t pos = 1;
  while (pos < data.size() && p.ops.size() < kMaxFuzzOps) {
    const uint8_t c = data[pos];
    const size_t len = pos + 1 < data.size() ? data[pos + 1] : 0;
    const size_t args = std::min(pos + 2, data.size());
    FuzzInput a(data.subspan(args, std::min(len, data.size() - args)));
    pos = args + len;
    const int end = c & 1;
    const uint8_t code = c >> 1;
    if (code >= codes) continue;  // defined by a later version
    ModelOp op;
    if (code >= kFirstNamedCode && code < kFirstOobCode) {
      if (DecodeNamedOp(code, a, slots, op)) p.ops.push_back(op);
      continue;
    }
    if (!DecodePairOp(code, a, end, op)) continue;  // 14, 15: not defined
    // Before named sockets a program ended with the pair.
    if (Append(p, op, closed) && version < 4) break;
  }
  return p;
}

void PutSize(std::vector<uint8_t>& out, size_t size) {
  if (size < 0xe0) {
    out.push_back(static_cast<uint8_t>(size));
    return;
  }
  int shift = 0;
  while (shift < 3 && ((size >> shift) > 0xffff || ((size >> shift) << shift) != size)) {
    ++shift;
  }
  const size_t v = std::min<size_t>(size >> shift, 0xffff);
  out.insert(out.end(), {static_cast<uint8_t>(0xe0 | shift),
                         static_cast<uint8_t>(v & 0xff),
                         static_cast<uint8_t>(v >> 8)});
}

uint8_t CallIndex(IoCall call) {
  switch (call) {
    case IoCall::kSend:
      return 0;
    case IoCall::kPlain:
      return 1;
    case IoCall::kMsg:
      return 2;
  }
  return 0;
}

// The flags byte DecodeWrite and DecodeRead read back as `flags`, `call`.
uint8_t WriteFlags(int flags, IoCall call) {
  return static_cast<uint8_t>(((flags & MSG_DONTWAIT) ? 1 : 0) |
                              ((flags & MSG_NOSIGNAL) ? 2 : 0) |
                              CallIndex(call) << 2);
}

uint8_t ReadFlags(int flags, IoCall call) {
  return static_cast<uint8_t>(
      ((flags & MSG_PEEK) ? 1 : 0) | ((flags & MSG_TRUNC) ? 2 : 0) |
      ((flags & MSG_DONTWAIT) ? 4 : 0) | ((flags & MSG_WAITALL) ? 8 : 0) |
      CallIndex(call) << 4);
}

}  // namespace

int OpsEncodingVersion(absl::Span<const uint8_t> data) {
  if (data.size() < sizeof kOpsMagic + 1 ||
      memcmp(data.data(), kOpsMagic, sizeof kOpsMagic) != 0) {
    return 0;
  }
  return std::max<int>(1, data[sizeof kOpsMagic]);
}

OpsProgram DecodeOps(absl::Span<const uint8_t> data) {
  const int version = OpsEncodingVersion(data);
  if (version == 0) return DecodeVersion0(data);
  return DecodeVersion1(data.subspan(sizeof kOpsMagic + 1), version);
}

std::vector<uint8_t> EncodeOps(const OpsProgram& program) {
  std::vector<uint8_t> out(kOpsMagic, kOpsMagic + sizeof kOpsMagic);
  out.push_back(1);  // raised below to the first version with every code used
  out.push_back(static_cast<uint8_t>(program.type));
  uint8_t version = 1;
  for (const ModelOp& op : program.ops) {
    std::vector<uint8_t> args;
    OpCode code = kCodePoll;
    const uint8_t slot_byte = static_cast<uint8_t>(op.end - kFirstNamed);
    switch (op.kind) {
      case OpKind::kWrite:
        if (op.flags & MSG_OOB) {
          code = kCodeWriteOob;
          PutSize(args, op.size);
        } else if (op.rights > 0) {
          code = kCodeWriteRights;
          args.push_back(static_cast<uint8_t>(std::min<size_t>(op.size, 255)));
        } else {
          code = kCodeWrite;
          PutSize(args, op.size);
        }
        args.push_back(WriteFlags(op.flags, op.call));
        if (op.rights > 0) {
          args.push_back(static_cast<uint8_t>((op.rights - 1) % model::kMaxRights));
        }
        break;
      case OpKind::kRead:
        if (op.flags & MSG_OOB) {
          code = kCodeReadOob;
          PutSize(args, op.size);
          args.push_back((op.flags & MSG_PEEK) ? 1 : 0);
          break;
        }
        code = op.control > 0 ? kCodeReadControl : kCodeRead;
        PutSize(args, op.size);
        args.push_back(ReadFlags(op.flags, op.call));
        if (op.control > 0) {
          args.push_back(static_cast<uint8_t>(std::min(op.control, 255)));
        }
        break;
      case OpKind::kSetPasscred:
        code = kCodePasscred;
        args.push_back(op.value != 0 ? 1 : 0);
        break;
      case OpKind::kEpoll:
        code = kCodeEpoll;
        break;
      case OpKind::kGetOpt:
        code = kCodeGetOpt;
        args.push_back(static_cast<uint8_t>(op.value));
        break;
      case OpKind::kSetPeekOff: {
        code = kCodePeekOff;
        const uint16_t v = static_cast<uint16_t>(std::clamp(op.value, -32768, 32767));
        args.push_back(static_cast<uint8_t>(v & 0xff));
        args.push_back(static_cast<uint8_t>(v >> 8));
        break;
      }
      case OpKind::kShutdown:
        code = kCodeShutdown;
        args.push_back(static_cast<uint8_t>(op.how));
        break;
      case OpKind::kPoll:
        code = kCodePoll;
        break;
      case OpKind::kSetSndbuf: {
        code = kCodeSndbuf;
        const int v = std::clamp(op.value / 4, 0, 0xffff);
        args.push_back(static_cast<uint8_t>(v & 0xff));
        args.push_back(static_cast<uint8_t>(v >> 8));
        break;
      }
      case OpKind::kClose:
        code = kCodeClose;
        break;
      case OpKind::kGetError:
        code = kCodeGetError;
        break;
      case OpKind::kInq:
        code = kCodeInq;
        break;
      case OpKind::kSocket:
        code = kCodeSocket;
        args.push_back(static_cast<uint8_t>(op.value));
        break;
      case OpKind::kBind:
        code = kCodeBind;
        args = {slot_byte, static_cast<uint8_t>(op.name)};
        break;
      case OpKind::kListen:
        code = kCodeListen;
        args = {slot_byte, static_cast<uint8_t>(op.value)};
        break;
      case OpKind::kConnect:
        code = kCodeConnect;
        args = {slot_byte, static_cast<uint8_t>(op.name)};
        break;
      case OpKind::kAccept:
        code = kCodeAccept;
        args = {slot_byte};
        break;
      case OpKind::kGetName:
        code = kCodeGetName;
        args = {slot_byte, static_cast<uint8_t>(op.how)};
        break;
      case OpKind::kSendTo:
        code = kCodeSendTo;
        args = {slot_byte, static_cast<uint8_t>(op.name)};
        PutSize(args, op.size);
        args.push_back(WriteFlags(op.flags, IoCall::kSend));
        break;
      case OpKind::kRecvFrom:
        code = kCodeRecvFrom;
        args = {slot_byte};
        PutSize(args, op.size);
        args.push_back(ReadFlags(op.flags, IoCall::kMsg));
        break;
      case OpKind::kAtMark:
        code = kCodeAtMark;
        break;
      case OpKind::kSetOobInline:
        code = kCodeOobInline;
        args.push_back(op.value != 0 ? 1 : 0);
        break;
      case OpKind::kEpollEt:
        code = kCodeEpollEt;
        break;
    }
    int end = op.end;
    if (op.end >= kFirstNamed && code < kFirstNamedCode) {
      // A pair operation on a named socket: kCodeAt, then the operation.
      args.insert(args.begin(), {slot_byte, static_cast<uint8_t>(code << 1)});
      code = kCodeAt;
    }
    if (code >= kFirstNamedCode && code < kFirstOobCode) end = 0;
    while (kOpCodesInVersion[version] <= code) ++version;
    out.push_back(static_cast<uint8_t>(code << 1 | end));
    out.push_back(static_cast<uint8_t>(args.size()));
    out.insert(out.end(), args.begin(), args.end());
  }
  out[sizeof kOpsMagic] = version;
  return out;
}

}  // namespace sockspec
