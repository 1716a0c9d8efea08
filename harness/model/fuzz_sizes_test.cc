#include "harness/model/fuzz_sizes.h"

#include <signal.h>
#include <sys/time.h>

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::SockType;
}  // namespace

namespace {

TEST(DecodeSizes, ReadsTypeWritesAndReadSizes) {
  std::vector<uint8_t> bytes = {1 | 4, 3, 10, 0, 0xe1, 0x00, 0x01, 7, 0};
  SizesProgram p = DecodeSizes(bytes);
  EXPECT_EQ(p.ToString(),
            "SOCK_DGRAM (MSG_TRUNC), writes [10, 0, 512], reads [7, 0]");
}

TEST(DecodeSizes, StreamReadsOfZeroBecomeOneAndDefaultIs4096) {
  std::vector<uint8_t> with_zero = {0, 1, 5, 0};
  EXPECT_EQ(DecodeSizes(with_zero).ToString(),
            "SOCK_STREAM, writes [5], reads [1]");
  std::vector<uint8_t> none = {2, 1, 5};
  EXPECT_EQ(DecodeSizes(none).ToString(),
            "SOCK_SEQPACKET, writes [5], reads [4096]");
}

TEST(RunSizes, StreamBytesArriveCompleteAndInOrder) {
  SizesProgram p;
  p.type = SockType::kStream;
  p.writes = {1, 70000, 0, 3000};
  p.reads = {7, 65536, 1};
  EXPECT_TRUE(RunSizes(p).ok()) << RunSizes(p).message();
}

TEST(RunSizes, EachDatagramIsOneReadCutToTheBuffer) {
  for (SockType type : {SockType::kDgram, SockType::kSeqpacket}) {
    for (bool trunc : {false, true}) {
      SizesProgram p;
      p.type = type;
      p.msg_trunc = trunc;
      p.writes = {5, 0, 65536, 100, 1};
      p.reads = {3, 0, 70000};
      EXPECT_TRUE(RunSizes(p).ok()) << RunSizes(p).message();
    }
  }
}

void Ignore(int) {}

// libFuzzer's timeout alarm interrupts blocking calls (EINTR): a run under a
// storm of SIGALRM (a handler without SA_RESTART, every 100 us) must still
// see every byte and every datagram.
TEST(RunSizes, SignalsDuringBlockingCallsAreNotFindings) {
  struct sigaction sa = {};
  sa.sa_handler = Ignore;
  struct sigaction old;
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  const struct itimerval every = {{0, 100}, {0, 100}};
  ASSERT_EQ(setitimer(ITIMER_REAL, &every, nullptr), 0);
  for (SockType type :
       {SockType::kStream, SockType::kDgram, SockType::kSeqpacket}) {
    SizesProgram p;
    p.type = type;
    p.writes = {65536, 65536, 65536, 1, 65536, 0, 65536};
    p.reads = {100, 65536, 1};
    absl::Status s = RunSizes(p);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  const struct itimerval off = {};
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
}

}  // namespace
}  // namespace sockspec
