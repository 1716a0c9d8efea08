#include "harness/model/model_internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/os/fd.h"
#include "harness/model/model.h"

namespace sockspec::model {
namespace internal {

bool Allowed::Allows(const Observed& obs) const {
  if (obs.ret < 0) {
    for (int i = 0; i < nerrors_; ++i) {
      if (errors_[i] == obs.err) return true;
    }
    return false;
  }
  const size_t n = static_cast<size_t>(obs.ret);
  return count_ && n >= lo_ && n <= hi_;
}

std::string Allowed::Describe() const {
  std::string s;
  for (int i = 0; i < nerrors_; ++i) {
    absl::StrAppend(&s, s.empty() ? "" : " or ", "-1 ", ErrnoName(errors_[i]));
  }
  if (count_) {
    absl::StrAppend(&s, s.empty() ? "" : " or ");
    if (lo_ == hi_) {
      absl::StrAppend(&s, lo_);
    } else {
      absl::StrAppend(&s, lo_, "..", hi_);
    }
  }
  return s.empty() ? "nothing" : s;
}

absl::Status Allowed::Reject(const ModelOp& op, const Observed& obs,
                             const std::string& why) const {
  std::string msg = absl::StrCat("expected ", Describe());
  if (!why.empty()) absl::StrAppend(&msg, " (", why, ")");
  absl::StrAppend(&msg, ", got ", obs.ToString(op));
  return Divergence(op, msg);
}

absl::Status ExpectZero(const ModelOp& op, const Observed& obs) {
  Allowed allowed;
  allowed.Count(0, 0);
  return allowed.Judge(op, obs, [] { return std::string(); });
}

absl::Status Divergence(const ModelOp& op, const std::string& message) {
  return absl::FailedPreconditionError(
      absl::StrCat(op.ToString(), ": ", message));
}

namespace {

// Whether data[from..from+len) is writer w's bytes at offset `at` on.
bool MatchesAt(absl::Span<const uint8_t> data, size_t from, size_t len, int w,
               int64_t at) {
  if (at < 0) return false;
  for (size_t k = 0; k < len; ++k) {
    if (data[from + k] != PatternByte(w, static_cast<uint64_t>(at) + k)) {
      return false;
    }
  }
  return true;
}

// Names what the bytes from `i` on look like, for a mismatch report.
std::string Explain(absl::Span<const uint8_t> data, size_t i, int writer,
                    uint64_t expected_offset) {
  const size_t len = std::min<size_t>(8, data.size() - i);
  const int64_t want = static_cast<int64_t>(expected_offset);
  for (int64_t dist = 1; dist <= 4096; ++dist) {
    for (int64_t delta : {dist, -dist}) {
      if (!MatchesAt(data, i, len, writer, want + delta)) continue;
      if (delta > 0) {
        return absl::StrFormat(
            "from there on it is %c's data at offset %d: %d byte%s lost or "
            "skipped",
            EndName(writer), want + delta, delta, delta == 1 ? "" : "s");
      }
      return absl::StrFormat(
          "from there on it is %c's data at offset %d, %d byte%s back: data "
          "duplicated or reordered",
          EndName(writer), want + delta, -delta, delta == -1 ? "" : "s");
    }
  }
  const int other = 1 - writer;
  for (int64_t at = std::max<int64_t>(0, want - 65536); at <= want + 65536;
       ++at) {
    if (MatchesAt(data, i, len, other, at)) {
      return absl::StrFormat(
          "from there on it is %c's own data at offset %d: wrong direction",
          EndName(other), at);
    }
  }
  return "it matches no nearby offset: data corrupted";
}

}  // namespace

SOCKSPEC_NO_COVERAGE absl::Status CheckContent(
    const ModelOp& op, int writer, uint64_t offset,
    absl::Span<const uint8_t> data) {
  // Fast path: compare a block at a time; look closer only on a mismatch.
  uint8_t expect[4096];
  size_t done = 0;
  while (done < data.size()) {
    const size_t len = std::min(sizeof expect, data.size() - done);
    FillPattern(writer, offset + done, expect, len);
    if (memcmp(expect, data.data() + done, len) != 0) break;
    done += len;
  }
  for (size_t i = done; i < data.size(); ++i) {
    const uint8_t want = PatternByte(writer, offset + i);
    if (data[i] == want) continue;
    return Divergence(
        op, absl::StrFormat("byte %d of %d is 0x%02x, expected 0x%02x (%c's "
                            "data at offset %d); %s",
                            i, data.size(), data[i], want, EndName(writer),
                            offset + i, Explain(data, i, writer, offset + i)));
  }
  return absl::OkStatus();
}

}  // namespace internal

namespace {

// Within an aligned block of 256 offsets PatternByte is the block's constant
// plus step[offset & 255]: filling is a vectorizable add.
struct StepTables {
  uint8_t step[2][256];
  StepTables() {
    for (int w = 0; w < 2; ++w) {
      for (int i = 0; i < 256; ++i) step[w][i] = PatternByte(w, i) - w * 101;
    }
  }
};

}  // namespace

SOCKSPEC_NO_COVERAGE void FillPattern(int writer, uint64_t offset,
                                      uint8_t* out, size_t n) {
  static const StepTables tables;
  // Every writer but 0 steps as writer 1 does (PatternByte).
  const uint8_t* step = tables.step[writer == 0 ? 0 : 1];
  while (n > 0) {
    const size_t at = offset & 255;
    const size_t len = std::min<size_t>(n, 256 - at);
    const uint8_t base = PatternByte(writer, offset) - step[at];
    for (size_t i = 0; i < len; ++i) {
      out[i] = static_cast<uint8_t>(step[at + i] + base);
    }
    out += len;
    offset += len;
    n -= len;
  }
}

}  // namespace sockspec::model
