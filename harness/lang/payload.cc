#include "harness/lang/payload.h"

namespace sockspec {
namespace {

uint64_t NameHash(std::string_view name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// splitmix64's finaliser: neighbouring offsets give unrelated bytes.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

char ByteFor(uint64_t name_hash, int64_t offset) {
  uint64_t v = Mix(name_hash ^ Mix(static_cast<uint64_t>(offset)));
  return kAlphabet[v % (sizeof(kAlphabet) - 1)];
}

}  // namespace

char PayloadByte(std::string_view name, int64_t offset) {
  return ByteFor(NameHash(name), offset);
}

std::string PayloadBytes(std::string_view name, int64_t offset,
                         int64_t length) {
  std::string out;
  if (length <= 0) return out;
  out.resize(static_cast<size_t>(length));
  uint64_t h = NameHash(name);
  for (int64_t i = 0; i < length; ++i) {
    out[static_cast<size_t>(i)] = ByteFor(h, offset + i);
  }
  return out;
}

}  // namespace sockspec
