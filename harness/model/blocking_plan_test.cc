#include "harness/model/blocking_plan.h"

#include <dirent.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/model.h"

namespace sockspec {
namespace {

using model::ModelOp;
using model::SockType;
using Role = BlockingStep::Role;

std::vector<Role> Roles(const BlockingProgram& p) {
  std::vector<Role> r;
  for (const BlockingStep& s : p.steps) r.push_back(s.role);
  return r;
}

BlockingInput OnSocketpair(OpsProgram program) {
  BlockingInput in;
  in.program = std::move(program);
  return in;
}

OpsProgram ReadThenWrite(SockType type) {
  OpsProgram in;
  in.type = type;
  in.ops = {ModelOp::Read(1, 10, 0, model::IoCall::kSend),
            ModelOp::Write(0, 5, 0, model::IoCall::kSend)};
  return in;
}

size_t OpenFdCount() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

std::string Children() {
  std::ifstream f("/proc/self/task/" + std::to_string(gettid()) + "/children");
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(BlockingPlan, LeavesNoProcessOrFdBehind) {
  const size_t fds = OpenFdCount();
  OpsProgram in = ReadThenWrite(SockType::kDgram);
  in.ops.push_back(ModelOp::Read(0, 10, 0, model::IoCall::kMsg));  // woken at the end
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  ASSERT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
  EXPECT_EQ(OpenFdCount(), fds);
  EXPECT_EQ(Children(), "");
}

TEST(BlockingPlan, ReadOnAnEmptySocketBlocksUntilThePeerWrites) {
  // unix_stream_read_generic sleeps while the queue is empty; the write
  // wakes it and it returns the 5 bytes.
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(ReadThenWrite(SockType::kStream)), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCall, Role::kWakes}));
  EXPECT_EQ(p.plan.ops[1].text, "recv(b, 10, 0)");
  EXPECT_EQ(p.plan.peers[p.plan.ops[1].peer].name, "B");
  EXPECT_EQ(p.blocking_calls, 1);
  EXPECT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
}

TEST(BlockingPlan, LeavesOutOfBandOperationsOut) {
  // Version 5's MSG_OOB send and recv are ops_fuzzer's (judged in process):
  // the plan is the read woken by the plain write alone.
  OpsProgram in = ReadThenWrite(SockType::kStream);
  in.ops.insert(in.ops.begin() + 1, ModelOp::WriteOob(0, 3, 0));
  in.ops.push_back(ModelOp::ReadOob(1, 10, false));
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCall, Role::kWakes}));
}

TEST(BlockingPlan, EveryTypeRunsTheBlockingReadCleanly) {
  for (SockType t : {SockType::kStream, SockType::kDgram, SockType::kSeqpacket}) {
    BlockingProgram p = BuildBlockingProgram(OnSocketpair(ReadThenWrite(t)), {});
    absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                        Corruption::kNone);
    EXPECT_TRUE(s.ok()) << model::SockTypeName(t) << ": " << s.message();
  }
}

TEST(BlockingPlan, ASleeperLeftAtTheEndIsWokenByShutdown) {
  OpsProgram in;
  in.ops = {ModelOp::Read(0, 10, 0, model::IoCall::kPlain)};
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCall, Role::kWakes}));
  EXPECT_EQ(p.plan.ops[2].text, "shutdown(a, SHUT_RD)");
  EXPECT_EQ(p.plan.peers[p.plan.ops[2].peer].name, "C");
  EXPECT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
}

TEST(BlockingPlan, ACorruptedWokenReadIsAFindingWithTheSteps) {
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(ReadThenWrite(SockType::kStream)), {});
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kDropByte);
  ASSERT_FALSE(s.ok());
  const std::string m(s.message());
  EXPECT_NE(m.find(">   4. B: wakes = "), std::string::npos) << m;
  EXPECT_NE(m.find("B: recv(b, 10, 0) blocks\n"), std::string::npos) << m;
  EXPECT_NE(m.find("peer C holds a, b\n"), std::string::npos) << m;
}

TEST(BlockingPlan, BothEndsCanHaveASleeperAndCWritesForTheSleepingA) {
  OpsProgram in;
  in.ops = {ModelOp::Read(0, 10, 0, model::IoCall::kPlain),
            ModelOp::Read(1, 10, 0, model::IoCall::kMsg),
            ModelOp::Write(0, 3, 0, model::IoCall::kPlain)};
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  ASSERT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kBlocks, Role::kCall,
                                         Role::kWakes, Role::kCall,
                                         Role::kWakes}));
  std::vector<std::string> steps;
  for (const Op& op : p.plan.ops) {
    if (op.peer >= 0) steps.push_back(p.plan.peers[op.peer].name + ": " + op.text);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{
                       "A: read(a, 10)", "B: recvmsg(b, 10, 0)", "C: write(a, w2)",
                       "B: wakes", "C: shutdown(a, SHUT_RD)", "A: wakes"}));
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(BlockingPlan, ClosingAnEndClosesEveryCopy) {
  // EOF reaches b only when the last copy of a (A's and C's) is closed.
  OpsProgram in;
  in.ops = {ModelOp::Read(1, 10, 0, model::IoCall::kSend), ModelOp::Close(0)};
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCloseCopy, Role::kCall,
                                         Role::kWakes}));
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(BlockingModel, ABlockingDgramReadAfterShutRdReturnsZero) {
  // __skb_wait_for_more_packets ends the wait on RCV_SHUTDOWN without an
  // error; a non-blocking read never waits and fails EAGAIN.
  model::Model m(SockType::kDgram);
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(1, SHUT_RD), model::Observed{}).ok());
  ModelOp blocking = ModelOp::Read(1, 10, 0, model::IoCall::kSend);
  blocking.blocking = true;
  model::Observed zero;
  EXPECT_TRUE(model::Model(m).Check(blocking, zero).ok());
  model::Observed eagain;
  eagain.ret = -1;
  eagain.err = EAGAIN;
  EXPECT_FALSE(model::Model(m).Check(blocking, eagain).ok());
  const ModelOp nonblocking = ModelOp::Read(1, 10, MSG_DONTWAIT, model::IoCall::kSend);
  EXPECT_TRUE(model::Model(m).Check(nonblocking, eagain).ok());
  EXPECT_FALSE(model::Model(m).Check(nonblocking, zero).ok());
}

TEST(BlockingPlan, AMisplacedBlocksIsReportedByTheExecutor) {
  // The oracle self-test: the read of 5 queued bytes is planned as `blocks`;
  // it returns at once, which the executor reports at that step.
  OpsProgram in;
  in.ops = {ModelOp::Write(0, 5, MSG_DONTWAIT, model::IoCall::kSend),
            ModelOp::Read(1, 10, 0, model::IoCall::kSend)};
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {}, /*misplace_blocks=*/true);
  ASSERT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kCall,
                                         Role::kBlocks, Role::kCall,
                                         Role::kWakes}));
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(">   3. B: recv(b, 10, 0) = "),
            std::string::npos) << s.message();
}

// Two writes of a fill SO_SNDBUF's minimum past what is queued: a's buffer
// is certainly full (the model's only answer to a write is EAGAIN).
std::vector<ModelOp> FillThenShrink(size_t each) {
  return {ModelOp::Write(0, each, MSG_DONTWAIT | MSG_NOSIGNAL),
          ModelOp::Write(0, each, MSG_DONTWAIT | MSG_NOSIGNAL),
          ModelOp::SetSndbuf(0, 0)};
}

TEST(BlockingPlan, AWriteOnAFullBufferSleepsUntilThePeerReadsEverything) {
  // unix_stream_sendmsg sleeps in sock_alloc_send_pskb while sk_wmem_alloc
  // >= SO_SNDBUF; the peer's reads free the skbs and the write is taken
  // whole. A first read of 100 leaves the buffer full: the writer sleeps on.
  // A read of 3000 would leave the model unsure (the write could go through
  // on any wake-up) and is left out.
  OpsProgram in;
  in.ops = FillThenShrink(3000);
  in.ops.push_back(ModelOp::Write(0, 100, 0));
  in.ops.push_back(ModelOp::Read(1, 100, 0));
  in.ops.push_back(ModelOp::Read(1, 3000, 0));
  in.ops.push_back(ModelOp::Read(1, 5900, 0));
  in.ops.push_back(ModelOp::Read(1, 100, 0));
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kCall, Role::kCall,
                                         Role::kCall, Role::kSndbufRead,
                                         Role::kBlocks, Role::kCall, Role::kCall,
                                         Role::kWakes, Role::kCall}));
  EXPECT_EQ(p.plan.ops[7].text, "recvmsg(b, 5900, 0)");
  EXPECT_EQ(p.blocking_writes, 1);
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(BlockingPlan, AReadAfterWhichTheWriterMayOrMayNotWakeIsLeftOut) {
  // On DGRAM the first of two 3000-byte datagrams read leaves the model
  // unsure whether a spurious wake-up would let the write through: the
  // read is not planned, and the writer is woken by SHUT_WR at the end.
  OpsProgram in;
  in.type = SockType::kDgram;
  in.ops = FillThenShrink(3000);
  in.ops.push_back(ModelOp::Write(0, 100, 0));
  in.ops.push_back(ModelOp::Read(1, 3000, 0));
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kCall, Role::kCall,
                                         Role::kCall, Role::kSndbufRead,
                                         Role::kBlocks, Role::kCall, Role::kWakes}));
  EXPECT_EQ(p.plan.ops[6].text, "shutdown(a, SHUT_WR)");
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(BlockingPlan, AStreamWriteWokenByShutdownFailsEpipeWithoutSigpipe) {
  // No MSG_NOSIGNAL, and still no SIGPIPE: the EPIPE comes from
  // sock_alloc_send_pskb. The runner holds the woken write to that.
  OpsProgram in;
  in.ops = FillThenShrink(3000);
  in.ops.push_back(ModelOp::Write(0, 100, 0));
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  ASSERT_EQ(p.blocking_writes, 1);
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
}

// What the other end's close or shutdown does to a call asleep on a
// socketpair, as observed on Linux 6.18
// (cases/blocking/closes-and-shutdowns-that-wake-sleepers.case): `woken`
// when the call completes right after that step, with the model's answer;
// otherwise it sleeps on until the shutdown of its own end at the end.
struct WakeCase {
  BlockingSetup setup;
  SockType type;
  bool writer;     // a write asleep on a's full buffer, else a read asleep on b
  ModelOp action;  // by the other end, or by another holder of the sleeper's end
  bool woken;
};

std::vector<WakeCase> WakeCases() {
  std::vector<WakeCase> cases;
  for (SockType t : {SockType::kStream, SockType::kSeqpacket, SockType::kDgram}) {
    const bool connected = t != SockType::kDgram;
    // On named sockets too, where two peers hold each end (A and C hold a).
    const BlockingSetup named =
        connected ? BlockingSetup::kAccept : BlockingSetup::kBoundDgram;
    for (BlockingSetup setup : {BlockingSetup::kSocketpair, named}) {
      // A read asleep on b: the peer's close or SHUT_WR is EOF (0) on a
      // connection; a datagram socket hears nothing of its peer.
      cases.push_back({setup, t, false, ModelOp::Close(0), connected});
      cases.push_back({setup, t, false, ModelOp::Shutdown(0, SHUT_WR), connected});
      cases.push_back({setup, t, false, ModelOp::Shutdown(0, SHUT_RD), false});
      cases.push_back({setup, t, false, ModelOp::Shutdown(0, SHUT_RDWR), connected});
      // A write asleep on a: the peer's close wakes every type (ECONNRESET
      // on a connection, ECONNREFUSED on DGRAM); its SHUT_RD only a
      // connection's (EPIPE); its SHUT_WR none.
      cases.push_back({setup, t, true, ModelOp::Close(1), true});
      cases.push_back({setup, t, true, ModelOp::Shutdown(1, SHUT_RD), connected});
      cases.push_back({setup, t, true, ModelOp::Shutdown(1, SHUT_WR), false});
      cases.push_back({setup, t, true, ModelOp::Shutdown(1, SHUT_RDWR), connected});
    }
  }
  return cases;
}

std::string WakeCaseName(const WakeCase& c) {
  return absl::StrCat(c.setup == BlockingSetup::kSocketpair ? "socketpair " : "named ",
                      model::SockTypeName(c.type), c.writer ? " write" : " read",
                      " asleep, then ", c.action.ToString());
}

TEST(BlockingPlan, ThePeersCloseOrShutdownIsPlannedWhileACallSleeps) {
  const auto check = [](const WakeCase& c) {
    OpsProgram in;
    in.type = c.type;
    if (c.writer) {
      in.ops = FillThenShrink(3000);
      in.ops.push_back(ModelOp::Write(0, 100, 0));
    } else {
      in.ops = {ModelOp::Read(1, 10, 0)};
    }
    in.ops.push_back(c.action);
    BlockingInput input = OnSocketpair(in);
    input.setup = c.setup;
    const BlockingProgram p = BuildBlockingProgram(input, {});
    ASSERT_EQ(p.blocking_calls, c.setup == BlockingSetup::kSocketpair ? 1 : 2);
    size_t action = p.steps.size();
    for (size_t i = 0; i < p.steps.size(); ++i) {
      if (p.steps[i].role == Role::kCall && p.ops[p.steps[i].op].kind == c.action.kind &&
          p.ops[p.steps[i].op].end == c.action.end) {
        action = i;
        break;
      }
    }
    ASSERT_LT(action + 1, p.steps.size()) << "the action is not planned";
    EXPECT_EQ(p.steps[action + 1].role == Role::kWakes, c.woken);
    EXPECT_EQ(p.woken_by_close_or_shutdown, c.woken ? 1 : 0);
    absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                        Corruption::kNone);
    EXPECT_TRUE(s.ok()) << s.message();
  };
  for (const WakeCase& c : WakeCases()) {
    SCOPED_TRACE(WakeCaseName(c));
    check(c);
  }
}

TEST(BlockingPlan, AStreamWriteWokenByThePeersCloseTakesTheResetOnce) {
  // The peer closes with a's data unread: the sleeping write wakes with
  // ECONNRESET and clears sk_err, so a's next read is EOF (0), where a read
  // after the close without that write fails ECONNRESET; a's next write
  // fails EPIPE with SIGPIPE.
  OpsProgram in;
  in.ops = FillThenShrink(3000);
  in.ops.push_back(ModelOp::Write(0, 100, 0));
  in.ops.push_back(ModelOp::Close(1));
  in.ops.push_back(ModelOp::Read(0, 10, MSG_DONTWAIT));
  in.ops.push_back(ModelOp::Write(0, 5, MSG_DONTWAIT));
  const BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kCall, Role::kCall,
                                         Role::kCall, Role::kSndbufRead,
                                         Role::kBlocks, Role::kCloseCopy, Role::kCall,
                                         Role::kWakes, Role::kCall, Role::kCall}));
  EXPECT_EQ(p.plan.ops[7].text, "close(b)");
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
  // A woken write that failed EPIPE instead is a finding at its `wakes`.
  s = RunBlockingProgram(p, model::ModelLimits::FromKernel(), Corruption::kWrongErrno);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(">   9. A: wakes = "), std::string::npos)
      << s.message();
}

TEST(BlockingPlan, AMisplacedBlockingWriteIsReportedByTheExecutor) {
  OpsProgram in;
  in.ops = {ModelOp::Write(0, 5, 0, model::IoCall::kSend)};
  BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {}, /*misplace_blocks=*/true);
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(">   2. A: send(a, w0, 0) = "),
            std::string::npos) << s.message();
}

BlockingInput Named(BlockingSetup setup, SockType type, bool abstract) {
  BlockingInput in;
  in.setup = setup;
  in.abstract = abstract;
  in.program = ReadThenWrite(type);
  return in;
}

TEST(BlockingPlan, NamedSetupsBlockOnTheWayAndRunTheOperationsCleanly) {
  for (bool abstract : {false, true}) {
    for (const BlockingInput& in :
         {Named(BlockingSetup::kAccept, SockType::kStream, abstract),
          Named(BlockingSetup::kBacklog, SockType::kSeqpacket, abstract),
          Named(BlockingSetup::kBoundDgram, SockType::kDgram, abstract)}) {
      BlockingProgram p = BuildBlockingProgram(in, {});
      // The setup's accept, connect or recv, and B's read.
      EXPECT_EQ(p.blocking_calls, 2);
      absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                          Corruption::kNone);
      EXPECT_TRUE(s.ok()) << s.message();
      // Misplaced, the setup's blocking call returns at once.
      p = BuildBlockingProgram(in, {}, /*misplace_blocks=*/true);
      s = RunBlockingProgram(p, model::ModelLimits::FromKernel(), Corruption::kNone);
      ASSERT_FALSE(s.ok());
      EXPECT_NE(std::string(s.message()).find("expected blocks"), std::string::npos)
          << s.message();
    }
  }
}

TEST(BlockingPlan, WhenEveryHolderOfAnEndSleepsThePeersShutdownWakesThem) {
  // Named a is held by A and C: A reads it, C writes to it on a full buffer.
  // B's shutdown(b, SHUT_WR) gives a RCV_SHUTDOWN (EOF for A), then the
  // free A shuts a for sending (EPIPE for C).
  BlockingInput in;
  in.setup = BlockingSetup::kAccept;
  in.program.ops = {ModelOp::Read(0, 10, 0)};
  for (const ModelOp& op : FillThenShrink(3000)) in.program.ops.push_back(op);
  in.program.ops.push_back(ModelOp::Write(0, 100, MSG_NOSIGNAL));
  BlockingProgram p = BuildBlockingProgram(in, {});
  EXPECT_EQ(p.blocking_calls, 3);
  EXPECT_EQ(p.blocking_writes, 1);
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_NE(BlockingProgramCase(p, "test").find("B: shutdown(b, SHUT_WR) = ?\nA: wakes = ?\n"),
            std::string::npos)
      << BlockingProgramCase(p, "test");
}

TEST(BlockingInput, APrefixNamesTheSetupAndOtherInputsAreSocketpairs) {
  const uint8_t plain[] = {0x01, 0x05, 0x0a, 0x00};
  EXPECT_EQ(DecodeBlockingInput(plain).setup, BlockingSetup::kSocketpair);
  EXPECT_EQ(DecodeBlockingInput(plain).program.type, SockType::kDgram);
  const uint8_t backlog[] = {0xf5, 'S', 'B', 0x05, 0x02, 0x05, 0x0a, 0x00};
  BlockingInput in = DecodeBlockingInput(backlog);
  EXPECT_EQ(in.setup, BlockingSetup::kBacklog);
  EXPECT_TRUE(in.abstract);
  EXPECT_EQ(in.program.type, SockType::kSeqpacket);
  EXPECT_EQ(in.program.ops.size(), 1u);
  const uint8_t dgram[] = {0xf5, 'S', 'B', 0x02, 0x01};
  EXPECT_EQ(DecodeBlockingInput(dgram).setup, BlockingSetup::kBoundDgram);
}

TEST(BlockingPlan, OperationsOnNamedSocketsAreLeftOut) {
  // An ops_fuzzer version 4 input decodes to operations on s2..s7 too;
  // blocking_fuzzer runs the pair's alone (found by ASan: a write on s2
  // indexed the planner's two-end tables).
  OpsProgram in;
  in.type = SockType::kStream;
  in.ops = {ModelOp::Socket(2, SockType::kStream), ModelOp::Write(2, 10, 0),
            ModelOp::Read(2, 10, 0), ModelOp::Close(2), ModelOp::Write(0, 3, 0)};
  const BlockingProgram p = BuildBlockingProgram(OnSocketpair(in), {});
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].end, 0);
  EXPECT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
}

}  // namespace
}  // namespace sockspec
