#include "harness/model/fuzz_sizes_ops.h"

#include <sys/socket.h>

#include <algorithm>
#include <deque>

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::IoCall;
using model::ModelOp;
using model::SockType;
}  // namespace

OpsProgram SizesAsOps(const SizesProgram& sizes) {
  OpsProgram p;
  p.type = sizes.type;
  const bool stream = sizes.type == SockType::kStream;
  std::deque<size_t> queued;  // unread writes (stream: their bytes left)
  size_t queued_bytes = 0;
  size_t next_read = 0;
  const auto full = [&] { return p.ops.size() >= kMaxFuzzOps; };
  // One read, as the sizes fuzzer's reader makes it.
  const auto read_one = [&] {
    const size_t size = sizes.reads[next_read++ % sizes.reads.size()];
    if (stream) {
      p.ops.push_back(ModelOp::Read(1, size, 0, IoCall::kSend));
      size_t left = std::min(size, queued_bytes);
      queued_bytes -= left;
      while (left > 0) {
        const size_t take = std::min(left, queued.front());
        queued.front() -= take;
        left -= take;
        if (queued.front() == 0) queued.pop_front();
      }
      while (!queued.empty() && queued.front() == 0) queued.pop_front();
    } else {
      p.ops.push_back(ModelOp::Read(1, size, sizes.msg_trunc ? MSG_TRUNC : 0,
                                    IoCall::kMsg));
      queued_bytes -= queued.front();
      queued.pop_front();
    }
  };
  for (size_t n : sizes.writes) {
    while (!queued.empty() && !full() &&
           (queued.size() >= 4 || queued_bytes + n > (64u << 10))) {
      read_one();
    }
    if (full()) break;
    p.ops.push_back(ModelOp::Write(0, n, MSG_NOSIGNAL, IoCall::kSend));
    if (n > 0 || !stream) {
      queued.push_back(n);
      queued_bytes += n;
    }
  }
  while (!queued.empty() && !full()) read_one();
  return p;
}

}  // namespace sockspec
