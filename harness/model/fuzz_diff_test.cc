#include "harness/model/fuzz_diff.h"

#include <unistd.h>

#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using ::testing::HasSubstr;

std::string Self() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return std::string(buf, n > 0 ? n : 0);
}

// Version 0 bytes: SOCK_STREAM, send(a, 10), recv(b, 10), recv(b, 10).
const std::vector<uint8_t> kSendRecvRecv = {0, 0x00, 10, 0x02, 0x05, 10, 0x00,
                                            0x05, 10, 0x00};

TEST(DiffRunner, SameSystemGivesNoDifference) {
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("command:env", Self());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->guest_facts().wmem_max, (*r)->host_facts().wmem_max);
  for (uint8_t type : {0, 1, 2}) {
    std::vector<uint8_t> in = kSendRecvRecv;
    in[0] = type;
    absl::StatusOr<std::optional<Difference>> d = (*r)->Run(in);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_FALSE(d->has_value()) << (*d)->trace;
  }
  EXPECT_EQ((*r)->ops_run(), 9u);
}

// The guest's own oracle test: a guest that drops a byte or swaps an errno
// differs from the host at that step, and the signature names the classes.
TEST(DiffRunner, ADroppedByteInTheGuestIsADifference) {
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("command:env SOCKSPEC_CORRUPT=drop-byte", Self());
  ASSERT_TRUE(r.ok()) << r.status();
  absl::StatusOr<std::optional<Difference>> d = (*r)->Run(kSendRecvRecv);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->step, 1u);
  EXPECT_EQ((*d)->signature, "read SOCK_STREAM: host full, guest short");
  EXPECT_THAT((*d)->trace, HasSubstr(">   2. recv(b, 10, 0) = 10  | guest: 9"));
}

TEST(DiffRunner, AWrongErrnoInTheGuestIsADifference) {
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("command:env SOCKSPEC_CORRUPT=wrong-errno", Self());
  ASSERT_TRUE(r.ok()) << r.status();
  absl::StatusOr<std::optional<Difference>> d = (*r)->Run(kSendRecvRecv);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->step, 2u);
  EXPECT_EQ((*d)->signature, "read SOCK_STREAM: host EAGAIN, guest ECONNRESET");
}

TEST(DiffRunner, AServerThatDoesNotStartIsUnavailable) {
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("command:false", Self());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

TEST(DiffRunner, AnUnknownGuestIsInvalid) {
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("bochs:/boot/vmlinuz", Self());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("known: gvisor, command:CMD, qemu:KERNEL"));
}

// A kernel boots the server as its /init: this dynamically linked test
// cannot be that, and the error says what can (before any qemu starts).
TEST(DiffRunner, AKernelGuestNeedsAStaticServer) {
  unsetenv("SOCKSPEC_OPS_SERVER");
  absl::StatusOr<std::unique_ptr<DiffRunner>> r =
      DiffRunner::Start("qemu:/boot/vmlinuz", Self());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("is not statically linked: build one with `bazel "
                        "build --config=static //fuzz:ops_server`"));
}

TEST(CapSndbuf, LowersValuesAboveTheCap) {
  OpsProgram p;
  p.ops = {model::ModelOp::SetSndbuf(0, 4000000), model::ModelOp::SetSndbuf(1, 100)};
  CapSndbuf(p, 212993);
  EXPECT_EQ(p.ops[0].value, 212992);
  EXPECT_EQ(p.ops[1].value, 100);
}

TEST(DiffSignature, SetsockoptIsJudgedAgainstEachSidesOwnLimits) {
  OpsProgram p;
  p.ops = {model::ModelOp::SetSndbuf(0, 300000)};
  SideFacts host, guest;
  host.wmem_max = 4194304;
  guest.wmem_max = 212992;
  OpRecord h, g;
  h.sndbuf = 600000;
  g.sndbuf = 300000;
  EXPECT_FALSE(SameResult(p.ops[0], h, g, host, guest));
  EXPECT_EQ(DiffSignature(p, 0, h, g, host, guest),
            "setsockopt[SO_SNDBUF] SOCK_STREAM: host per-limits, guest as-set");
  // gVisor's wmem_max, read inside it, caps its answer: the same answer.
  g.sndbuf = 2 * 212992;
  EXPECT_TRUE(SameResult(p.ops[0], h, g, host, guest));
  // So does each side's own minimum (SO_SNDBUF 0: 4608 here, 4096 in gVisor).
  p.ops[0].value = 0;
  host.min_sndbuf = h.sndbuf = 4608;
  guest.min_sndbuf = g.sndbuf = 4096;
  EXPECT_TRUE(SameResult(p.ops[0], h, g, host, guest));
  // And so it reads back: each side's minimum is the same answer, another
  // value is not.
  const model::ModelOp get = model::ModelOp::GetOpt(0, model::SockOpt::kSndbuf);
  OpRecord hv, gv;
  hv.value = 4608;
  gv.value = 4096;
  EXPECT_TRUE(SameResult(get, hv, gv, host, guest));
  gv.value = 4608 * 2;
  EXPECT_FALSE(SameResult(get, hv, gv, host, guest));
}

TEST(DiffSignature, NamesTheTypeOfTheNamedSocketAndAfUnspec) {
  // A DGRAM pair, a SEQPACKET s2 and a socket s3 accepted from it: each
  // difference is named by the type of the socket it is on.
  OpsProgram p;
  p.type = model::SockType::kDgram;
  p.ops = {model::ModelOp::Socket(2, model::SockType::kSeqpacket),
           model::ModelOp::SendTo(2, 0, 0, 1), model::ModelOp::Accept(2, 3),
           model::ModelOp::RecvFrom(3, 0, 0),
           model::ModelOp::Connect(2, model::kUnspec)};
  SideFacts facts;
  OpRecord h, g;
  h.ret = g.ret = -1;
  h.err = ENOTCONN;
  g.err = EINVAL;
  EXPECT_EQ(DiffSignature(p, 1, h, g, facts, facts),
            "sendto[0 bytes] SOCK_SEQPACKET: host ENOTCONN, guest EINVAL");
  EXPECT_EQ(DiffSignature(p, 3, h, g, facts, facts),
            "recvfrom[0 bytes] SOCK_SEQPACKET: host ENOTCONN, guest EINVAL");
  EXPECT_EQ(DiffSignature(p, 4, h, g, facts, facts),
            "connect[AF_UNSPEC] SOCK_SEQPACKET: host ENOTCONN, guest EINVAL");
}

}  // namespace
}  // namespace sockspec

// The test binary is also the guest's replay server.
int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], sockspec::kOpsServerFlag) == 0) {
    const int out = dup(1);
    dup2(2, 1);
    return sockspec::ServeOps(0, out);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
