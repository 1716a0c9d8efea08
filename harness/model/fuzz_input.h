// Reads a fuzzer's input bytes as the fuzzers' small encodings; past the end
// every byte reads as 0, so any input decodes.
//
//   FuzzInput in(bytes);
//   size_t n = in.Size();  // 0..0xdf, or a 16-bit value shifted by 0..3
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_INPUT_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sockspec {

class FuzzInput {
 public:
  explicit FuzzInput(absl::Span<const uint8_t> data) : data_(data) {}

  bool empty() const { return pos_ >= data_.size(); }
  uint8_t Byte() { return pos_ < data_.size() ? data_[pos_++] : 0; }

  // Little-endian. The two reads are sequenced: in `Byte() | Byte() << 8` the
  // order is unspecified, and gcc and clang would decode one input two ways.
  uint16_t U16() {
    const uint16_t low = Byte();
    const uint16_t high = Byte();
    return static_cast<uint16_t>(low | high << 8);
  }

  // A size: a byte s itself if s < 0xe0, else U16() << (s & 3).
  size_t Size() {
    const uint8_t s = Byte();
    if (s < 0xe0) return s;
    return static_cast<size_t>(U16()) << (s & 3);
  }

 private:
  absl::Span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_INPUT_H_
