#include "harness/os/fork_image.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

// The Rss (kB) and VmFlags of the mapping of `pid` that holds `addr`.
struct SmapsEntry {
  long rss_kb = -1;
  std::string flags;
};

SmapsEntry EntryHolding(pid_t pid, uintptr_t addr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  std::string line;
  SmapsEntry e;
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long lo, hi;
    char dash;
    if (sscanf(line.c_str(), "%lx%c%lx ", &lo, &dash, &hi) == 3 && dash == '-' &&
        line.find(':') > line.find(' ')) {
      if (inside) break;
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("Rss:", 0) == 0) e.rss_kb = atol(line.c_str() + 4);
    if (line.rfind("VmFlags:", 0) == 0) e.flags = line.substr(8);
  }
  return e;
}

// Forks a child that waits; returns its Rss of the mapping holding `addr`,
// read while it waits, then ends it.
long ChildRssOf(uintptr_t addr) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    ssize_t n = read(p[0], &c, 1);
    _exit(n == 1 ? 0 : 1);
  }
  EXPECT_GT(pid, 0);
  const long rss = EntryHolding(pid, addr).rss_kb;
  EXPECT_EQ(write(p[1], "x", 1), 1);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  close(p[0]);
  close(p[1]);
  return rss;
}

TEST(ForkImage, AForkedChildHasTheCodePagesItsParentTouched) {
  // This test's own code: the parent (gtest and this test) has run much of
  // it; a child that only waits runs little.
  const uintptr_t code = reinterpret_cast<uintptr_t>(&EntryHolding);
  const long parent_before = EntryHolding(getpid(), code).rss_kb;
  ASSERT_GT(parent_before, 256) << "too little of the code mapped to tell";

  // Without the call, fork leaves the code unmapped in the child: it would
  // fault on each page it runs.
  const long child_before = ChildRssOf(code);
  EXPECT_LT(child_before, parent_before / 2);

  EXPECT_GE(CopyFileMappingsOnFork(), 1);
  const long parent_after = EntryHolding(getpid(), code).rss_kb;
  EXPECT_GE(ChildRssOf(code), parent_after);
}

TEST(ForkImage, CodeStillRunsAndReadOnlyDataStaysReadOnly) {
  static const char kConstant[] = "read-only data";
  EXPECT_GE(CopyFileMappingsOnFork(), 1);
  EXPECT_STREQ(kConstant, "read-only data");
  const std::string code = EntryHolding(getpid(), reinterpret_cast<uintptr_t>(&EntryHolding)).flags;
  const std::string data = EntryHolding(getpid(), reinterpret_cast<uintptr_t>(kConstant)).flags;
  EXPECT_NE(code.find(" ex"), std::string::npos) << code;
  EXPECT_EQ(code.find(" wr"), std::string::npos) << code;
  EXPECT_EQ(data.find(" wr"), std::string::npos) << data;
  // A write to it is still a fault, as before: SIGSEGV (under ASan, its
  // report of the SEGV, then abort).
  EXPECT_DEATH(
      {
        const_cast<volatile char*>(kConstant)[0] = 'R';
        _exit(0);
      },
      "");
}

TEST(ForkImage, LargeAnonymousMemoryIsAdvisedForHugePagesAndKeepsItsBytes) {
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  }
  // A mapping of its own (malloc's may be a sanitizer's sparse arena).
  const size_t size = 16u << 20;
  void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  char* block = static_cast<char*>(mapped);
  for (size_t i = 0; i < size; ++i) block[i] = static_cast<char>(i * 7 + 3);

  const HugePageResult r = BackAnonymousMemoryWithHugePages();
  EXPECT_GE(r.regions, 1);
  EXPECT_GE(r.advised, 1);
  EXPECT_GE(r.bytes, size / 2);
  const uintptr_t middle = reinterpret_cast<uintptr_t>(block) + size / 2;
  EXPECT_NE(EntryHolding(getpid(), middle).flags.find(" hg"), std::string::npos);
  size_t wrong = 0;
  for (size_t i = 0; i < size; ++i) wrong += block[i] != static_cast<char>(i * 7 + 3);
  EXPECT_EQ(wrong, 0u);
  munmap(mapped, size);
}

TEST(ForkImage, SparseMemoryAndSmallPageRequestsAreLeftAlone) {
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  }
  const size_t size = 64u << 20;
  // One page in use of 64 MiB: huge pages would make it 2 MiB.
  void* sparse = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(sparse, MAP_FAILED);
  static_cast<char*>(sparse)[size / 2] = 1;
  // Dense, but its owner asked for small pages.
  void* small = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(small, MAP_FAILED);
  ASSERT_EQ(madvise(small, size, MADV_NOHUGEPAGE), 0);
  memset(small, 1, size);

  BackAnonymousMemoryWithHugePages();
  const uintptr_t in_sparse = reinterpret_cast<uintptr_t>(sparse) + size / 2;
  const uintptr_t in_small = reinterpret_cast<uintptr_t>(small) + size / 2;
  EXPECT_EQ(EntryHolding(getpid(), in_sparse).flags.find(" hg"), std::string::npos);
  EXPECT_NE(EntryHolding(getpid(), in_small).flags.find(" nh"), std::string::npos);
  EXPECT_EQ(EntryHolding(getpid(), in_small).flags.find(" hg"), std::string::npos);
  munmap(sparse, size);
  munmap(small, size);
}

}  // namespace
}  // namespace sockspec
