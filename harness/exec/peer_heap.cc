// The peer heap (peer_heap.h): global operator new and delete, which forward
// to malloc and free until UsePeerHeap() switches the process to the arena.
#include "harness/exec/peer_heap.h"

#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SOCKSPEC_PEER_HEAP_DISABLED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOCKSPEC_PEER_HEAP_DISABLED 1
#endif

namespace sockspec {
namespace {

constexpr size_t kAlign = alignof(std::max_align_t);
constexpr size_t kArenaBytes = size_t{1} << 20;

// In .bss: the harness never writes it, so none of its pages is mapped
// before a peer first touches it (a zero page, no copy), and the blocks lie
// side by side. The bookkeeping sits in front of the blocks, so a small
// peer's whole heap is one page.
struct Arena {
  bool active = false;
  size_t used = 0;
  size_t last = SIZE_MAX;  // offset of the newest block, to give it back
  alignas(kAlign) char bytes[kArenaBytes];
};
Arena g_arena;

// Under a sanitizer nothing below is used: its allocator keeps operator new.
#ifndef SOCKSPEC_PEER_HEAP_DISABLED
bool InArena(const void* p) {
  const char* c = static_cast<const char*>(p);
  return c >= g_arena.bytes && c < g_arena.bytes + kArenaBytes;
}

void* ArenaAlloc(size_t n) {
  const size_t size = (n + kAlign - 1) & ~(kAlign - 1);
  if (size == 0 || size > kArenaBytes - g_arena.used) return nullptr;
  g_arena.last = g_arena.used;
  g_arena.used += size;
  return g_arena.bytes + g_arena.last;
}

// Freeing the newest block gives it back (a temporary string or frame, freed
// before the next allocation, reuses the same bytes); anything else stays
// until the peer exits.
void ArenaFree(void* p) {
  const size_t offset = static_cast<char*>(p) - g_arena.bytes;
  if (offset == g_arena.last) {
    g_arena.used = offset;
    g_arena.last = SIZE_MAX;
  }
}

void* Allocate(size_t n) {
  if (g_arena.active) {
    if (void* p = ArenaAlloc(n)) return p;
  }
  return std::malloc(n == 0 ? 1 : n);
}

// Unused under a sanitizer, which keeps its own operator new.
[[maybe_unused]] void Release(void* p) {
  if (p == nullptr) return;
  if (InArena(p)) {
    ArenaFree(p);
  } else {
    std::free(p);
  }
}

[[maybe_unused]] void* AllocateOrThrow(size_t n) {
  void* p = Allocate(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
#endif  // SOCKSPEC_PEER_HEAP_DISABLED

}  // namespace

void UsePeerHeap() {
#ifndef SOCKSPEC_PEER_HEAP_DISABLED
  g_arena.active = true;
#endif
}

size_t PeerHeapUsed() { return g_arena.used; }

}  // namespace sockspec

#ifndef SOCKSPEC_PEER_HEAP_DISABLED
void* operator new(size_t n) { return sockspec::AllocateOrThrow(n); }
void* operator new[](size_t n) { return sockspec::AllocateOrThrow(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return sockspec::Allocate(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return sockspec::Allocate(n); }
void operator delete(void* p) noexcept { sockspec::Release(p); }
void operator delete[](void* p) noexcept { sockspec::Release(p); }
void operator delete(void* p, size_t) noexcept { sockspec::Release(p); }
void operator delete[](void* p, size_t) noexcept { sockspec::Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { sockspec::Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { sockspec::Release(p); }
#endif
