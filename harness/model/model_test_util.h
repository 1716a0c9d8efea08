// Test helpers for the reference model's unit tests (model_test,
// model_oob_test, model_ancillary_test, world_test): the results a kernel
// call returns, built in one line, and the bytes a read of the pair's stream
// returns.
//   EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), ReadResult({{0, 3}}).obs).ok());
#ifndef SOCKSPEC_HARNESS_MODEL_MODEL_TEST_UTIL_H_
#define SOCKSPEC_HARNESS_MODEL_MODEL_TEST_UTIL_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "harness/model/model_types.h"

namespace sockspec::model {

// The ends of the pair, by their names in traces.
constexpr int kA = 0;
constexpr int kB = 1;

// A call that returned `ret` (and, when ret is -1, errno `err`).
Observed Ret(ssize_t ret, int err = 0);
// A call that failed with errno `err`.
Observed Err(int err);
// A call that returned 0 with Observed::value `value` (SO_ERROR, SIOCINQ,
// SIOCATMARK, an option, a name).
Observed Value(int value);
// A poll or epoll_wait that returned `ret` with `revents`.
Observed Events(int ret, short revents);

// What a read of a's stream returned: the bytes at the (offset, length)
// pieces, concatenated (several where the read stepped over a taken
// out-of-band byte), with msg_flags; and, from the second constructor,
// `fds` received as tokens and credentials `creds`. obs.data points into
// bytes, so a ReadResult is neither copied nor moved.
struct ReadResult {
  std::vector<uint8_t> bytes;
  Observed obs;

  explicit ReadResult(std::initializer_list<std::pair<uint64_t, size_t>> pieces,
                      int msg_flags = 0);
  ReadResult(uint64_t offset, size_t n, std::vector<int> fds = {},
             Creds creds = Creds::kNone, int msg_flags = 0);
  ReadResult(const ReadResult&) = delete;
  ReadResult& operator=(const ReadResult&) = delete;
};

}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_MODEL_TEST_UTIL_H_
