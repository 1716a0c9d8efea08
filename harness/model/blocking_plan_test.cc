#include "harness/model/blocking_plan.h"

#include <dirent.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include <string>
#include <vector>

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
  BlockingProgram p = BuildBlockingProgram(in, {});
  ASSERT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
  EXPECT_EQ(OpenFdCount(), fds);
  EXPECT_EQ(Children(), "");
}

TEST(BlockingPlan, ReadOnAnEmptySocketBlocksUntilThePeerWrites) {
  // unix_stream_read_generic sleeps while the queue is empty; the write
  // wakes it and it returns the 5 bytes.
  BlockingProgram p = BuildBlockingProgram(ReadThenWrite(SockType::kStream), {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCall, Role::kWakes}));
  EXPECT_EQ(p.plan.ops[1].text, "recv(b, 10, 0)");
  EXPECT_EQ(p.plan.peers[p.plan.ops[1].peer].name, "B");
  EXPECT_EQ(p.blocking_calls, 1);
  EXPECT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
}

TEST(BlockingPlan, EveryTypeRunsTheBlockingReadCleanly) {
  for (SockType t : {SockType::kStream, SockType::kDgram, SockType::kSeqpacket}) {
    BlockingProgram p = BuildBlockingProgram(ReadThenWrite(t), {});
    absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                        Corruption::kNone);
    EXPECT_TRUE(s.ok()) << model::SockTypeName(t) << ": " << s.message();
  }
}

TEST(BlockingPlan, ASleeperLeftAtTheEndIsWokenByShutdown) {
  OpsProgram in;
  in.ops = {ModelOp::Read(0, 10, 0, model::IoCall::kPlain)};
  BlockingProgram p = BuildBlockingProgram(in, {});
  EXPECT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kBlocks,
                                         Role::kCall, Role::kWakes}));
  EXPECT_EQ(p.plan.ops[2].text, "shutdown(a, SHUT_RD)");
  EXPECT_EQ(p.plan.peers[p.plan.ops[2].peer].name, "C");
  EXPECT_TRUE(RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                 Corruption::kNone).ok());
}

TEST(BlockingPlan, ACorruptedWokenReadIsAFindingWithTheSteps) {
  BlockingProgram p = BuildBlockingProgram(ReadThenWrite(SockType::kStream), {});
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
  BlockingProgram p = BuildBlockingProgram(in, {});
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
  BlockingProgram p = BuildBlockingProgram(in, {});
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
  in.ops = {ModelOp::Write(0, 5, 0, model::IoCall::kSend),
            ModelOp::Read(1, 10, 0, model::IoCall::kSend)};
  BlockingProgram p = BuildBlockingProgram(in, {}, /*misplace_blocks=*/true);
  ASSERT_EQ(Roles(p), (std::vector<Role>{Role::kSetup, Role::kCall,
                                         Role::kBlocks, Role::kCall,
                                         Role::kWakes}));
  absl::Status s = RunBlockingProgram(p, model::ModelLimits::FromKernel(),
                                      Corruption::kNone);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(">   3. B: recv(b, 10, 0) = "),
            std::string::npos) << s.message();
}

}  // namespace
}  // namespace sockspec
