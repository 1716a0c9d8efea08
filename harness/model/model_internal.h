// Private helpers of the reference model (model.cc, model_read.cc): the set of
// results one call may give, and the data-content check.
#ifndef SOCKSPEC_HARNESS_MODEL_MODEL_INTERNAL_H_
#define SOCKSPEC_HARNESS_MODEL_MODEL_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "harness/model/model_types.h"

namespace sockspec::model {
namespace internal {

// Bounds on skb truesize that hold on Linux 6.x for AF_UNIX, with slack:
// any skb costs at least kSkbMinOverhead beyond its data; a stream skb at most
// kStreamSkbMaxOverhead (page rounding of its head and frags); a datagram of
// len bytes at most 2 * len + kDgramMaxOverhead (kmalloc rounds its head up
// to a power of two).
constexpr size_t kSkbMinOverhead = 512;
constexpr size_t kStreamSkbMaxOverhead = 8192;
constexpr size_t kDgramMaxOverhead = 4096;

// The results one call may give: -1 with an errno from a short list, or a
// count in [lo, hi]; `why` explains the expectation in a mismatch report.
class Allowed {
 public:
  void Error(int err) {
    if (nerrors_ < 4) errors_[nerrors_++] = err;
  }
  void Count(size_t lo, size_t hi) {
    count_ = true;
    lo_ = lo;
    hi_ = hi;
  }

  bool Allows(const Observed& obs) const;
  // "-1 EAGAIN or 2240..5000".
  std::string Describe() const;
  // OK if `obs` is allowed, else "OP: expected X (WHY), got Y". `why` is
  // called only on a mismatch: explanations cost nothing on the fast path.
  template <typename WhyFn>
  absl::Status Judge(const ModelOp& op, const Observed& obs, WhyFn why) const {
    if (Allows(obs)) return absl::OkStatus();
    return Reject(op, obs, why());
  }

 private:
  absl::Status Reject(const ModelOp& op, const Observed& obs,
                      const std::string& why) const;

  int errors_[4] = {};
  int nerrors_ = 0;
  bool count_ = false;
  size_t lo_ = 0, hi_ = 0;
};

// Judges a call that must succeed with 0 (setsockopt, getsockopt, ioctl).
absl::Status ExpectZero(const ModelOp& op, const Observed& obs);

// A divergence: FailedPrecondition "OP: MESSAGE".
absl::Status Divergence(const ModelOp& op, const std::string& message);

// Checks that `data` is the bytes writer `writer` wrote at stream offset
// `offset` on. On a mismatch the message names the first wrong byte and, if
// the data there matches a nearby offset or the other direction, says so
// ("1 byte lost or skipped").
absl::Status CheckContent(const ModelOp& op, int writer, uint64_t offset,
                          absl::Span<const uint8_t> data);

}  // namespace internal
}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_MODEL_INTERNAL_H_
