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
};
// Version 3 holds codes 8 to 15; 14 and 15 are not defined yet and skipped.
constexpr uint8_t kOpCodesInVersion[] = {6, 6, 8, 14};

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

OpsProgram DecodeVersion1(absl::Span<const uint8_t> data, int version) {
  const uint8_t codes = kOpCodesInVersion[std::min<size_t>(
      version, sizeof kOpCodesInVersion - 1)];
  FuzzInput in(data);
  OpsProgram p;
  p.type = static_cast<SockType>(in.Byte() % 3);
  bool closed[2] = {false, false};
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
    switch (static_cast<OpCode>(code)) {
      case kCodeWrite:
        op = DecodeWrite(a, end);
        break;
      case kCodeRead:
        op = DecodeRead(a, end);
        break;
      case kCodeShutdown:
        op = ModelOp::Shutdown(end, a.Byte() % 3);
        break;
      case kCodePoll:
        op = ModelOp::Poll(end);
        break;
      case kCodeSndbuf:
        op = ModelOp::SetSndbuf(end, a.U16() * 4);
        break;
      case kCodeClose:
        op = ModelOp::Close(end);
        break;
      case kCodeGetError:
        op = ModelOp::GetError(end);
        break;
      case kCodeInq:
        op = ModelOp::Inq(end);
        break;
      case kCodeWriteRights:
        op = DecodeWriteRights(a, end);
        break;
      case kCodeReadControl:
        op = DecodeReadControl(a, end);
        break;
      case kCodePasscred:
        op = ModelOp::SetPasscred(end, a.Byte() & 1);
        break;
      case kCodeEpoll:
        op = ModelOp::Epoll(end);
        break;
      case kCodePeekOff:
        op = ModelOp::SetPeekOff(end, static_cast<int16_t>(a.U16()));
        break;
      case kCodeGetOpt:
        op = ModelOp::GetOpt(end,
                             static_cast<model::SockOpt>(a.Byte() % model::kSockOpts));
        break;
    }
    if (Append(p, op, closed)) break;
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
    switch (op.kind) {
      case OpKind::kWrite:
        if (op.rights > 0) {
          code = kCodeWriteRights;
          args.push_back(static_cast<uint8_t>(std::min<size_t>(op.size, 255)));
        } else {
          code = kCodeWrite;
          PutSize(args, op.size);
        }
        args.push_back(static_cast<uint8_t>(
            ((op.flags & MSG_DONTWAIT) ? 1 : 0) |
            ((op.flags & MSG_NOSIGNAL) ? 2 : 0) | CallIndex(op.call) << 2));
        if (op.rights > 0) {
          args.push_back(static_cast<uint8_t>((op.rights - 1) % model::kMaxRights));
        }
        break;
      case OpKind::kRead:
        code = op.control > 0 ? kCodeReadControl : kCodeRead;
        PutSize(args, op.size);
        args.push_back(static_cast<uint8_t>(
            ((op.flags & MSG_PEEK) ? 1 : 0) | ((op.flags & MSG_TRUNC) ? 2 : 0) |
            ((op.flags & MSG_DONTWAIT) ? 4 : 0) |
            ((op.flags & MSG_WAITALL) ? 8 : 0) | CallIndex(op.call) << 4));
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
    }
    while (kOpCodesInVersion[version] <= code) ++version;
    out.push_back(static_cast<uint8_t>(code << 1 | op.end));
    out.push_back(static_cast<uint8_t>(args.size()));
    out.insert(out.end(), args.begin(), args.end());
  }
  out[sizeof kOpsMagic] = version;
  return out;
}

}  // namespace sockspec
