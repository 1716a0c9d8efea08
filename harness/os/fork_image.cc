#include "harness/os/fork_image.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; older kernels answer EINVAL
#endif

namespace sockspec {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

struct Mapping {
  uintptr_t start = 0, end = 0;
  std::string perms;  // "r-xp"
  uint64_t offset = 0;
  uint64_t inode = 0;
  std::string path;  // "" for anonymous memory, "[heap]", "/usr/lib/..."
  // From /proc/self/smaps only (ReadMappings(true)):
  uint64_t rss_kb = 0;
  std::string vm_flags;  // " rd wr mr mw me ac sd"
};

// The process's mappings, from /proc/self/maps, or with `usage` from
// /proc/self/smaps (the same header lines, each followed by its figures).
std::vector<Mapping> ReadMappings(bool usage) {
  std::vector<Mapping> out;
  std::ifstream maps(usage ? "/proc/self/smaps" : "/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long start, end, offset, inode;
    char perms[5];
    int path_at = 0;
    if (sscanf(line.c_str(), "%lx-%lx %4s %lx %*s %lu %n", &start, &end, perms, &offset,
               &inode, &path_at) >= 5) {
      Mapping m;
      m.start = start;
      m.end = end;
      m.perms = perms;
      m.offset = offset;
      m.inode = inode;
      if (path_at > 0 && static_cast<size_t>(path_at) < line.size()) {
        m.path = line.substr(path_at);
      }
      out.push_back(std::move(m));
    } else if (!out.empty() && line.rfind("Rss:", 0) == 0) {
      out.back().rss_kb = strtoull(line.c_str() + 4, nullptr, 10);
    } else if (!out.empty() && line.rfind("VmFlags:", 0) == 0) {
      out.back().vm_flags = line.substr(8);
    }
  }
  return out;
}

}  // namespace

HugePageResult BackAnonymousMemoryWithHugePages() {
  HugePageResult r;
  for (const Mapping& m : ReadMappings(/*usage=*/true)) {
    const bool anonymous = m.inode == 0 && (m.path.empty() || m.path == "[heap]");
    if (!anonymous || m.perms != "rw-p") continue;
    const uintptr_t from = (m.start + kHugePage - 1) & ~(kHugePage - 1);
    const uintptr_t to = m.end & ~(kHugePage - 1);
    if (to <= from) continue;
    ++r.regions;
    // Not where its owner asked for small pages (a sanitizer's shadow), and
    // not sparse memory: a huge page would fill 2 MiB for each page in use.
    if (m.vm_flags.find(" nh") != std::string::npos) continue;
    if (m.rss_kb * 1024 * 2 < to - from) continue;
    void* at = reinterpret_cast<void*>(from);
    if (madvise(at, to - from, MADV_HUGEPAGE) != 0) continue;
    ++r.advised;
    r.bytes += to - from;
    if (madvise(at, to - from, MADV_COLLAPSE) == 0) ++r.collapsed;
  }
  return r;
}

int CopyFileMappingsOnFork() {
  const std::vector<Mapping> maps = ReadMappings(/*usage=*/false);
  // Only the files the process runs code from (itself and its libraries):
  // their segments lie within the file, so the first page of each is there
  // to read; a mapping of some other file might lie past its end (SIGBUS).
  std::set<std::string> code_files;
  for (const Mapping& m : maps) {
    if (m.perms == "r-xp" && m.inode != 0 && !m.path.empty() && m.path[0] == '/') {
      code_files.insert(m.path);
    }
  }
  const long page = sysconf(_SC_PAGESIZE);
  int changed = 0;
  for (const Mapping& m : maps) {
    const bool private_read_only = m.perms[0] == 'r' && m.perms[1] != 'w' && m.perms[3] == 'p';
    if (!private_read_only || !code_files.count(m.path)) continue;
    struct stat st;
    if (stat(m.path.c_str(), &st) != 0 || st.st_ino != m.inode ||
        m.offset + static_cast<uint64_t>(page) > static_cast<uint64_t>(st.st_size)) {
      continue;
    }
    const int prot = PROT_READ | (m.perms[2] == 'x' ? PROT_EXEC : 0);
    void* at = reinterpret_cast<void*>(m.start);
    const size_t len = m.end - m.start;
    if (mprotect(at, len, prot | PROT_WRITE) != 0) continue;
    volatile char* first = static_cast<volatile char*>(at);
    *first = *first;
    mprotect(at, len, prot);
    ++changed;
  }
  return changed;
}

}  // namespace sockspec
