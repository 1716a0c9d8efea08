// The peer heap: after UsePeerHeap() a process's `operator new` takes its
// blocks from one contiguous arena; before, and when the arena is full, from
// malloc. Each check runs in a forked child, because the switch is one-way.
#include "harness/exec/peer_heap.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/os/child.h"

namespace sockspec {
namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SOCKSPEC_PEER_HEAP_TEST_OFF 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOCKSPEC_PEER_HEAP_TEST_OFF 1
#endif

TEST(PeerHeap, TheHarnessItselfAllocatesFromMalloc) {
  auto block = std::make_unique<std::string>(100, 'x');
  EXPECT_EQ(PeerHeapUsed(), 0u);
}

#ifndef SOCKSPEC_PEER_HEAP_TEST_OFF
// Runs `body` in a forked child; its return value is the exit code (0 = ok,
// any other value names the check that failed).
int InChild(int (*body)()) {
  absl::StatusOr<Child> child = Child::Spawn([&] { return body(); });
  if (!child.ok()) return -1;
  absl::StatusOr<ExitStatus> status = child->Wait();
  if (!status.ok() || status->signaled) return -2;
  return status->code;
}

TEST(PeerHeap, AfterTheSwitchBlocksComeFromTheArenaSideBySide) {
  EXPECT_EQ(InChild([] {
              UsePeerHeap();
              int* a = new int(1);
              const size_t after_a = PeerHeapUsed();
              if (after_a == 0) return 1;
              int* b = new int(2);
              if (PeerHeapUsed() <= after_a) return 2;
              // Adjacent: the second block follows the first.
              if (reinterpret_cast<char*>(b) - reinterpret_cast<char*>(a) !=
                  static_cast<long>(after_a)) {
                return 3;
              }
              if (*a != 1 || *b != 2) return 4;
              return 0;
            }),
            0);
}

TEST(PeerHeap, FreeingTheNewestBlockGivesItBack) {
  EXPECT_EQ(InChild([] {
              UsePeerHeap();
              auto keep = std::make_unique<int>(7);
              const size_t before = PeerHeapUsed();
              { std::string temporary(200, 't'); }
              if (PeerHeapUsed() != before) return 1;
              return *keep == 7 ? 0 : 2;
            }),
            0);
}

TEST(PeerHeap, ObjectsMadeBeforeTheSwitchAreFreedByMalloc) {
  EXPECT_EQ(InChild([] {
              auto* before = new std::vector<int>(1000, 3);
              UsePeerHeap();
              const size_t used = PeerHeapUsed();
              delete before;  // free(): must not touch the arena
              return PeerHeapUsed() == used ? 0 : 1;
            }),
            0);
}

TEST(PeerHeap, AFullArenaFallsBackToMalloc) {
  EXPECT_EQ(InChild([] {
              UsePeerHeap();
              // Larger than the arena: served by malloc, usable, freed.
              std::vector<char> big(size_t{4} << 20, 'b');
              if (PeerHeapUsed() != 0) return 1;
              return big.back() == 'b' ? 0 : 2;
            }),
            0);
}
#endif

}  // namespace
}  // namespace sockspec
