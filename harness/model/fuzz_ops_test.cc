#include "harness/model/fuzz_ops.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::ModelLimits;
using model::SockType;
}  // namespace

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

OpsProgram Decode(std::vector<uint8_t> bytes) { return DecodeOps(bytes); }

TEST(DecodeOps, FirstBytePicksTheSocketType) {
  EXPECT_EQ(Decode({0}).type, SockType::kStream);
  EXPECT_EQ(Decode({1}).type, SockType::kDgram);
  EXPECT_EQ(Decode({5}).type, SockType::kSeqpacket);
  EXPECT_TRUE(Decode({}).ops.empty());
}

TEST(DecodeOps, DecodesEachKindOfOperation) {
  OpsProgram p = Decode({
      0,                    // SOCK_STREAM
      0x00, 100, 0x02,      // send(a, 100, MSG_NOSIGNAL)
      0x05, 0xe1, 0, 1, 0x21,  // recvmsg(b, 512, MSG_PEEK)
      0x08, 1,              // shutdown(a, SHUT_WR)
      0x0b,                 // poll(b)
      0x0c, 0x10, 0,        // setsockopt(a, SO_SNDBUF, 64)
      0x0f,                 // close(b)
  });
  ASSERT_EQ(p.ops.size(), 6u);
  EXPECT_EQ(p.ops[0].ToString(), "send(a, 100, MSG_NOSIGNAL)");
  EXPECT_EQ(p.ops[1].ToString(), "recvmsg(b, 512, MSG_PEEK)");
  EXPECT_EQ(p.ops[2].ToString(), "shutdown(a, SHUT_WR)");
  EXPECT_EQ(p.ops[3].ToString(), "poll(b, POLLIN|POLLOUT|POLLRDHUP)");
  EXPECT_EQ(p.ops[4].ToString(), "setsockopt(a, SO_SNDBUF, 64)");
  EXPECT_EQ(p.ops[5].ToString(), "close(b)");
}

TEST(DecodeOps, DropsOperationsOnAClosedEndAndStopsWhenBothAreClosed) {
  OpsProgram p = Decode({0, 0x0e, 0x0a, 0x0b, 0x0f, 0x0b});
  ASSERT_EQ(p.ops.size(), 3u);
  EXPECT_EQ(p.ops[1].ToString(), "poll(b, POLLIN|POLLOUT|POLLRDHUP)");
  EXPECT_EQ(p.ops[2].ToString(), "close(b)");
}

TEST(DecodeOps, StopsAtTheOperationLimit) {
  std::vector<uint8_t> bytes(1 + 2 * kMaxFuzzOps, 0x0a);
  EXPECT_EQ(Decode(bytes).ops.size(), kMaxFuzzOps);
}

class OpsRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { BlockSigpipe(); }
  OpsRunner runner_{ModelLimits::FromKernel()};
};

TEST_F(OpsRunnerTest, AcceptsTheKernelsAnswersForEveryType) {
  for (uint8_t type : {0, 1, 2}) {
    // Writes both ways, a peek, a short read, shutdown, a write into the
    // shutdown, poll, close with unread data, reads after the close.
    OpsProgram p = Decode({type, 0x00, 10, 0, 0x01, 7, 0, 0x05, 4, 1,
                           0x05, 4, 0, 0x08, 1, 0x00, 1, 0, 0x0b, 0x0e,
                           0x07, 50, 0, 0x07, 50, 0, 0x01, 1, 2});
    EXPECT_TRUE(runner_.Run(p).ok()) << runner_.Run(p).message();
  }
}

TEST_F(OpsRunnerTest, FillingTheBufferIsAccepted) {
  // SO_SNDBUF at its minimum, then writes until EAGAIN, a read, a poll.
  for (uint8_t type : {0, 1, 2}) {
    std::vector<uint8_t> bytes = {type, 0x0c, 0, 0};
    for (int i = 0; i < 8; ++i) {
      bytes.insert(bytes.end(), {0x00, 0xe0, 0x00, 0x04, 0x01});
    }
    bytes.insert(bytes.end(), {0x0a, 0x05, 0xe2, 0, 0x40, 0, 0x0a});
    EXPECT_TRUE(runner_.Run(Decode(bytes)).ok())
        << runner_.Run(Decode(bytes)).message();
  }
}

// The oracle's own test: a fault injected into one result must be caught,
// within a few hundred random inputs, with a trace that says what differs.
void ExpectCaught(OpsRunner& runner, Corruption c, const char* reason) {
  std::mt19937 rng(42);
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint8_t> bytes(1 + rng() % 60);
    for (uint8_t& b : bytes) b = rng() % 4 == 0 ? rng() % 40 : rng();
    absl::Status s = runner.Run(DecodeOps(bytes), c);
    if (s.ok()) continue;
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.message(),
                AllOf(HasSubstr("socketpair (non-blocking), divergence at "
                                "step"),
                      HasSubstr(reason)));
    return;
  }
  ADD_FAILURE() << "1000 inputs did not catch the corruption";
}

TEST_F(OpsRunnerTest, DroppedByteIsCaught) {
  ExpectCaught(runner_, Corruption::kDropByte, "expected");
}

TEST_F(OpsRunnerTest, SwappedBytesAreCaught) {
  ExpectCaught(runner_, Corruption::kSwapBytes, "expected 0x");
}

TEST_F(OpsRunnerTest, WrongErrnoIsCaught) {
  ExpectCaught(runner_, Corruption::kWrongErrno, "expected -1 E");
}

// Version 2 inputs: SO_ERROR and SIOCINQ among the other operations.
TEST_F(OpsRunnerTest, AWrongSoErrorOrSiocinqValueIsCaught) {
  std::mt19937 rng(7);
  int caught = 0;
  for (int i = 0; i < 1000 && caught < 20; ++i) {
    std::vector<uint8_t> bytes = {0xf5, 'S', 'X', 2, static_cast<uint8_t>(rng())};
    for (int k = rng() % 12; k >= 0; --k) {
      const uint8_t c = rng() % 16;
      bytes.push_back(c);
      const uint8_t len = c >> 1 == 0 || c >> 1 == 1 ? 2 : c >> 1 == 2 || c >> 1 == 4 ? 2 : 0;
      bytes.push_back(len);
      for (int j = 0; j < len; ++j) bytes.push_back(rng() % 64);
    }
    absl::Status s = runner_.Run(DecodeOps(bytes), Corruption::kWrongValue);
    if (s.ok()) continue;
    ++caught;
    EXPECT_THAT(std::string(s.message()), testing::ContainsRegex("expected (SO_ERROR|SIOCINQ) "));
  }
  EXPECT_EQ(caught, 20);
}

TEST_F(OpsRunnerTest, SoErrorTakesTheResetAndSiocinqCountsWhatIsQueued) {
  for (uint8_t type : {0, 1, 2}) {
    // send(a, 5), send(b, 2), SIOCINQ(b), close(a), SO_ERROR(b) twice,
    // recvmsg(b, 10) twice, SIOCINQ(b).
    const OpsProgram p = Decode({0xf5, 'S', 'X', 2, type, 0x00, 2, 5, 0x02,
                                 0x01, 2, 2, 0x02, 0x0f, 0, 0x0a, 0, 0x0d, 0,
                                 0x0d, 0, 0x03, 2, 10, 0x20, 0x03, 2, 10, 0x20,
                                 0x0f, 0});
    ASSERT_EQ(p.ops.size(), 9u);
    EXPECT_EQ(p.ops[2].ToString(), "ioctl(b, SIOCINQ)");
    EXPECT_EQ(p.ops[4].ToString(), "getsockopt(b, SO_ERROR)");
    EXPECT_TRUE(runner_.Run(p).ok()) << runner_.Run(p).message();
  }
}

// Version 3: fd passing, control buffers, SO_PASSCRED, epoll, options.
std::vector<uint8_t> Version3Program(uint8_t type) {
  return {0xf5, 'S', 'X', 3, type,
          0x00, 2, 3, 0x02,         // send(a, 3, MSG_NOSIGNAL)
          0x10, 3, 2, 0x02, 1,      // sendmsg(a, 2, MSG_NOSIGNAL, rights=2)
          0x15, 1, 1,               // setsockopt(b, SO_PASSCRED, 1)
          0x13, 3, 100, 0x01, 64,   // recvmsg(b, 100, MSG_PEEK, control=64)
          0x13, 3, 100, 0x00, 20,   // recvmsg(b, 100, 0, control=20)
          0x13, 3, 100, 0x00, 64,   // recvmsg(b, 100, 0, control=64)
          0x17, 0,                  // epoll_wait(b)
          0x19, 1, 1,               // getsockopt(b, SO_RCVBUF)
          0x0a, 0,                  // close(a)
          0x17, 0};                 // epoll_wait(b)
}

TEST(DecodeOps, Version3DecodesRightsControlPasscredEpollAndOptions) {
  const OpsProgram p = DecodeOps(Version3Program(0));
  ASSERT_EQ(p.ops.size(), 10u);
  EXPECT_EQ(p.ops[1].ToString(), "sendmsg(a, 2, MSG_NOSIGNAL, rights=2)");
  EXPECT_EQ(p.ops[2].ToString(), "setsockopt(b, SO_PASSCRED, 1)");
  EXPECT_EQ(p.ops[3].ToString(), "recvmsg(b, 100, MSG_PEEK, control=64)");
  EXPECT_EQ(p.ops[6].ToString(), "epoll_wait(b, EPOLLIN|EPOLLOUT|EPOLLRDHUP)");
  EXPECT_EQ(p.ops[7].ToString(), "getsockopt(b, SO_RCVBUF)");
}

TEST(DecodeOps, AVersion2InputSkipsTheCodesOfVersion3) {
  std::vector<uint8_t> bytes = Version3Program(0);
  bytes[3] = 2;
  const OpsProgram p = DecodeOps(bytes);
  ASSERT_EQ(p.ops.size(), 2u);  // send(a, 3) and close(a)
  EXPECT_EQ(p.ops[1].ToString(), "close(a)");
}

TEST(EncodeOps, Version3ProgramsRoundTrip) {
  const OpsProgram p = DecodeOps(Version3Program(2));
  const std::vector<uint8_t> bytes = EncodeOps(p);
  EXPECT_EQ(OpsEncodingVersion(bytes), 3);
  const OpsProgram q = DecodeOps(bytes);
  ASSERT_EQ(q.ops.size(), p.ops.size());
  for (size_t i = 0; i < p.ops.size(); ++i) {
    EXPECT_EQ(q.ops[i].ToString(), p.ops[i].ToString());
  }
}

int OpenFds() {
  int n = 0;
  for (int fd = 0; fd < 1024; ++fd) n += fcntl(fd, F_GETFD) >= 0 ? 1 : 0;
  return n;
}

TEST_F(OpsRunnerTest, PassedFdsArriveAsSentAndAreClosedAgain) {
  FdTokens::Get();  // the tokens stay open for the process's life
  const int before = OpenFds();
  {
    // A runner keeps its last program's sockets until the next one starts,
    // so the count is taken once it is gone.
    OpsRunner runner(ModelLimits::FromKernel());
    for (uint8_t type : {0, 1, 2}) {
      const OpsProgram p = DecodeOps(Version3Program(type));
      const absl::Status s = runner.Run(p);
      EXPECT_TRUE(s.ok()) << s.message();
    }
  }
  EXPECT_EQ(OpenFds(), before);
}

TEST_F(OpsRunnerTest, AWrongFdOrCredentialsAreCaught) {
  for (uint8_t type : {0, 1, 2}) {
    const absl::Status s = runner_.Run(DecodeOps(Version3Program(type)),
                                       Corruption::kWrongFd);
    // Stream glues the 3 bytes to the fds skb; a datagram read gets the
    // first message alone. Both were sent before SO_PASSCRED: "nobody".
    EXPECT_THAT(s.message(), AllOf(HasSubstr("divergence at step 4"),
                                   HasSubstr(type == 0 ? "rights(3,4) cred(nobody)"
                                                       : "expected msg_flags 0 cred(nobody)")));
  }
}

// Version 5: out-of-band data, SIOCATMARK, SO_OOBINLINE and EPOLLET on a
// real pair of `type`.
std::vector<uint8_t> Version5Program(uint8_t type) {
  return {0xf5, 'S', 'X', 5, type,
          0x3b, 0,                  // epoll_wait(b, ...|EPOLLET)
          0x32, 2, 4, 0x02,         // send(a, 4, MSG_OOB|MSG_NOSIGNAL)
          0x37, 0,                  // ioctl(b, SIOCATMARK)
          0x03, 2, 10, 0x20,        // recvmsg(b, 10, 0)
          0x37, 0,                  // ioctl(b, SIOCATMARK)
          0x35, 2, 10, 1,           // recvmsg(b, 10, MSG_OOB|MSG_PEEK)
          0x35, 2, 10, 0,           // recvmsg(b, 10, MSG_OOB)
          0x3b, 0,                  // epoll_wait(b, ...|EPOLLET)
          0x39, 1, 1,               // setsockopt(b, SO_OOBINLINE, 1)
          0x35, 2, 10, 0,           // recvmsg(b, 10, MSG_OOB)
          0x3b, 0};                 // epoll_wait(b, ...|EPOLLET)
}

TEST(DecodeOps, Version5DecodesOutOfBandOperations) {
  const OpsProgram p = DecodeOps(Version5Program(0));
  ASSERT_EQ(p.ops.size(), 11u);
  EXPECT_EQ(p.ops[0].ToString(), "epoll_wait(b, EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLPRI|EPOLLET)");
  EXPECT_EQ(p.ops[1].ToString(), "send(a, 4, MSG_OOB|MSG_NOSIGNAL)");
  EXPECT_EQ(p.ops[2].ToString(), "ioctl(b, SIOCATMARK)");
  EXPECT_EQ(p.ops[5].ToString(), "recvmsg(b, 10, MSG_OOB|MSG_PEEK)");
  EXPECT_EQ(p.ops[8].ToString(), "setsockopt(b, SO_OOBINLINE, 1)");
  EXPECT_EQ(DecodeOps(EncodeOps(p)).ops.size(), p.ops.size());
  EXPECT_EQ(EncodeOps(p), Version5Program(0));
  // Read as version 4 the new codes are skipped: only the plain recvmsg.
  std::vector<uint8_t> bytes = Version5Program(0);
  bytes[3] = 4;
  ASSERT_EQ(DecodeOps(bytes).ops.size(), 1u);
  EXPECT_EQ(DecodeOps(bytes).ops[0].ToString(), "recvmsg(b, 10, 0)");
}

TEST_F(OpsRunnerTest, Version5RunsOnEveryTypeWithoutDivergence) {
  for (uint8_t type : {0, 1, 2}) {
    const absl::Status s = runner_.Run(DecodeOps(Version5Program(type)));
    EXPECT_TRUE(s.ok()) << s.message();
  }
}

TEST_F(OpsRunnerTest, AWrongMarkIsCaught) {
  // Step 3 is the first SIOCATMARK: 0, with "abc" before the mark.
  const absl::Status s = runner_.Run(DecodeOps(Version5Program(0)),
                                     Corruption::kWrongMark);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("divergence at step 3"),
                                 HasSubstr("expected SIOCATMARK 0")));
}

TEST(CorruptionFromEnv, ParsesTheSwitch) {
  unsetenv("SOCKSPEC_CORRUPT");
  EXPECT_EQ(*CorruptionFromEnv(), Corruption::kNone);
  setenv("SOCKSPEC_CORRUPT", "drop-byte", 1);
  EXPECT_EQ(*CorruptionFromEnv(), Corruption::kDropByte);
  setenv("SOCKSPEC_CORRUPT", "bogus", 1);
  EXPECT_EQ(CorruptionFromEnv().status().code(),
            absl::StatusCode::kInvalidArgument);
  unsetenv("SOCKSPEC_CORRUPT");
}

}  // namespace
}  // namespace sockspec
