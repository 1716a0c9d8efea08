// Fuzzes write sizes against read buffer sizes between a forked writer and
// this process, over STREAM, DGRAM and SEQPACKET socketpairs, checking
// boundaries and content (harness/fuzz_sizes.h documents the input).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/model/fuzz_sizes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::Status verdict = sockspec::RunSizes(sockspec::DecodeSizes({data, size}));
  if (!verdict.ok()) {
    fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    abort();
  }
  return 0;
}
