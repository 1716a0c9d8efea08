// Named-socket programs (version 4 of ops_fuzzer's encoding) run on this
// machine's kernel and judged by model::World.
#include "harness/model/fuzz_sockets.h"

#include <unistd.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/model/fuzz_ops.h"

namespace sockspec {
namespace {

using model::kAutobind;
using model::ModelLimits;
using model::ModelOp;
using model::SockType;
using ::testing::HasSubstr;

// s2 listens on `name` (backlog 1), s3 connects, writes 5 bytes, s2 accepts
// into s5 (s4 went to an accept that failed EAGAIN), which reads them and
// answers.
OpsProgram ListenConnectAccept(SockType type, int name) {
  OpsProgram p;
  p.type = SockType::kStream;
  p.ops = {ModelOp::Socket(2, type),      ModelOp::Bind(2, name),
           ModelOp::Listen(2, 1),         ModelOp::Socket(3, type),
           ModelOp::Accept(2, 4),         ModelOp::Connect(3, name),
           ModelOp::Write(3, 5, MSG_NOSIGNAL),
           ModelOp::Poll(2),              ModelOp::Accept(2, 5),
           ModelOp::Read(5, 10),          ModelOp::Write(5, 3, MSG_NOSIGNAL),
           ModelOp::Read(3, 10),          ModelOp::GetName(5, false),
           ModelOp::GetName(5, true),     ModelOp::GetName(3, true),
           ModelOp::Close(3),             ModelOp::Read(5, 10),
           ModelOp::Read(4, 10)};  // EBADF: the first accept failed
  return p;
}

TEST(FuzzSockets, ListenConnectAcceptIsAsTheModelSays) {
  OpsRunner runner(ModelLimits::FromKernel());
  for (SockType type : {SockType::kStream, SockType::kSeqpacket}) {
    for (int name : {0, 5}) {
      absl::Status s = runner.Run(ListenConnectAccept(type, name));
      EXPECT_TRUE(s.ok()) << s.message();
    }
  }
}

TEST(FuzzSockets, NamesCollideAndAListenerFills) {
  OpsProgram p;
  p.ops = {ModelOp::Socket(2, SockType::kStream),
           ModelOp::Socket(3, SockType::kStream),
           ModelOp::Socket(4, SockType::kDgram),
           ModelOp::Bind(2, 1),
           ModelOp::Bind(3, 1),  // EADDRINUSE: the file exists
           ModelOp::Bind(2, 6),  // EINVAL: bound already
           ModelOp::Bind(3, 6),
           ModelOp::Bind(4, 6),  // an abstract name per socket type
           ModelOp::Bind(4, kAutobind),
           ModelOp::GetName(4, false),
           ModelOp::Listen(4, 0),  // EOPNOTSUPP
           ModelOp::Listen(3, 0),
           ModelOp::Connect(2, 6),
           ModelOp::Socket(5, SockType::kStream),
           ModelOp::Connect(5, 6),  // EAGAIN: backlog 0 holds one
           ModelOp::Connect(5, 2),  // ENOENT
           ModelOp::Close(3),       // resets s2
           ModelOp::GetError(2),
           ModelOp::Read(2, 10),
           ModelOp::Poll(2),
           ModelOp::Connect(5, 1)};  // ECONNREFUSED: s2 is not listening
  OpsRunner runner(ModelLimits::FromKernel());
  absl::Status s = runner.Run(p);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(FuzzSockets, AWrongNameIsCaught) {
  setenv("SOCKSPEC_CORRUPT", "wrong-value", 1);
  absl::StatusOr<Corruption> c = CorruptionFromEnv();
  unsetenv("SOCKSPEC_CORRUPT");
  ASSERT_TRUE(c.ok());
  OpsRunner runner(ModelLimits::FromKernel());
  OpsProgram p;
  p.ops = {ModelOp::Socket(2, SockType::kDgram), ModelOp::GetName(2, false)};
  absl::Status s = runner.Run(p, *c);
  EXPECT_THAT(s.message(), HasSubstr("getsockname(s2): expected unnamed, got p0"));
}

TEST(FuzzSockets, Version4RoundTrips) {
  const OpsProgram p = ListenConnectAccept(SockType::kSeqpacket, kAutobind - 1);
  const std::vector<uint8_t> bytes = EncodeOps(p);
  EXPECT_EQ(OpsEncodingVersion(bytes), 4);
  const OpsProgram q = DecodeOps(bytes);
  ASSERT_EQ(q.ops.size(), p.ops.size());
  for (size_t i = 0; i < p.ops.size(); ++i) {
    EXPECT_EQ(q.ops[i].ToString(), p.ops[i].ToString());
  }
}

TEST(FuzzSockets, DecodingDropsOperationsOnSocketsNotMade) {
  // connect(s3, p0) before any socket(); then socket() takes s2, and
  // getsockname(S = 0) picks it.
  const std::vector<uint8_t> bytes = {0xf5, 'S', 'X', 4, 0,
                                      19 << 1, 2, 1, 0,
                                      16 << 1, 1, 1,
                                      21 << 1, 2, 0, 0};
  const OpsProgram p = DecodeOps(bytes);
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0].ToString(), "socket(SOCK_DGRAM) -> s2");
  EXPECT_EQ(p.ops[1].ToString(), "getsockname(s2)");
}

TEST(FuzzSockets, LeavesNoSocketFilesOrDirectoryBehind) {
  std::string dir;
  {
    absl::StatusOr<std::unique_ptr<FuzzSockets>> s = FuzzSockets::Create();
    ASSERT_TRUE(s.ok()) << s.status();
    dir = (*s)->dir();
    ASSERT_TRUE((*s)->Start(SockType::kStream).ok());
    EXPECT_EQ((*s)->Execute(ModelOp::Socket(2, SockType::kStream), nullptr,
                            nullptr).ret, 2);
    EXPECT_EQ((*s)->Execute(ModelOp::Bind(2, 0), nullptr, nullptr).ret, 0);
    EXPECT_EQ(access((dir + "/p0").c_str(), F_OK), 0);
  }
  EXPECT_NE(access(dir.c_str(), F_OK), 0) << dir << " is still there";
}

}  // namespace
}  // namespace sockspec
