// Payload bytes: a payload of N bytes is unique to its name and to each byte's
// position, so a lost, merged, split or reordered byte shows in a compare.
// Bytes are printable ASCII, so a mismatch report can show them.
//
//   PayloadBytes("m1", 0, 100)   // m1's 100 bytes
//   PayloadBytes("m1", 10, 5)    // == PayloadBytes("m1", 0, 100).substr(10, 5)
#ifndef SOCKSPEC_HARNESS_LANG_PAYLOAD_H_
#define SOCKSPEC_HARNESS_LANG_PAYLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sockspec {

// Payloads and the bytes one case sends are capped at this size.
inline constexpr int64_t kMaxPayloadBytes = 16 << 20;

// Byte `offset` of the generated payload called `name`.
char PayloadByte(std::string_view name, int64_t offset);

// Bytes [offset, offset + length) of the payload called `name`.
std::string PayloadBytes(std::string_view name, int64_t offset, int64_t length);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_PAYLOAD_H_
