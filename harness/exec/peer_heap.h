// A peer's private heap. A forked peer shares the harness's pages copy-on-write,
// so each heap page its allocations write costs a fault and a page copy (the
// harness's free chunks are scattered). After UsePeerHeap(), `operator new`
// in this process serves from one contiguous arena that nobody has touched.
//
//   Child::Spawn([&] { UsePeerHeap(); return RunPeer(...); });
#ifndef SOCKSPEC_HARNESS_EXEC_PEER_HEAP_H_
#define SOCKSPEC_HARNESS_EXEC_PEER_HEAP_H_

#include <cstddef>

namespace sockspec {

// Switches this process's `operator new` to the arena. Call only in a forked
// peer, before it allocates; irreversible (the peer _exits). Objects made
// before stay on malloc's heap and are freed there. When the arena is full,
// allocations fall back to malloc. A no-op in sanitizer builds (their
// allocators must see every allocation).
void UsePeerHeap();

// Bytes taken from the arena so far (0 before UsePeerHeap): for tests.
size_t PeerHeapUsed();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_PEER_HEAP_H_
