// Making fork cheap for a process that forks many short-lived children from
// a large image, as the harness does: three or so peers per case instance,
// from a process holding every loaded plan (README, "Performance").
//
// What a fork costs is mostly the kernel's page-table work: copying the
// parent's entries, then one page fault in the child for each page of code
// or data it touches that fork did not copy, and one in the parent for each
// page it writes while a child shares it. Both calls below are best effort:
// where the kernel refuses (no transparent huge pages, a policy that forbids
// making code writable, a kernel before 6.1), the process runs as before,
// only slower.
#ifndef SOCKSPEC_HARNESS_OS_FORK_IMAGE_H_
#define SOCKSPEC_HARNESS_OS_FORK_IMAGE_H_

#include <cstddef>

namespace sockspec {

struct HugePageResult {
  int regions = 0;          // anonymous regions of at least one 2 MiB page
  int advised = 0;          // of them, dense enough, marked MADV_HUGEPAGE
  int collapsed = 0;        // of them, collapsed now (MADV_COLLAPSE)
  size_t bytes = 0;         // the 2 MiB-aligned bytes of the advised regions
};

// Backs the process's private anonymous memory (the malloc heap and large
// anonymous mappings; not the stack) with transparent huge pages: marks each
// region MADV_HUGEPAGE and collapses what is already there (MADV_COLLAPSE,
// Linux 6.1). A fork then copies one page-table entry per 2 MiB of it
// instead of 512. Only dense regions (at least half resident), and none
// whose owner asked for small pages (MADV_NOHUGEPAGE, as a sanitizer's
// shadow is): in sparse memory each page in use would become 2 MiB. Call it
// once the image is built (the plans loaded), before forking; again after
// it grows by much.
HugePageResult BackAnonymousMemoryWithHugePages();

// Makes fork copy the page-table entries of the process's file-backed
// private mappings (its code, read-only data and those of its libraries),
// so a forked child finds the pages its parent had already touched mapped
// instead of faulting on each. The kernel copies them only for a mapping
// that has anonymous pages of its own; this gives each such mapping one
// (the first page, written with the byte it holds, under a brief
// mprotect that adds PROT_WRITE). Call it while the process has one
// thread. Returns the number of mappings changed.
int CopyFileMappingsOnFork();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_FORK_IMAGE_H_
