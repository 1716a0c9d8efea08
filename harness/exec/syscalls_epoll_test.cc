// The readiness handlers run on real sockets: epoll's data field carries the
// registered fd's slot, select's sets come back per slot; ioctl and fcntl
// take setter arguments and pid(PEER).
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harness/exec/judge.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace {

using Ready = std::vector<std::pair<int, int64_t>>;

// Slots 0 and 1 are a connected stream pair; slot 2 is kept for results.
struct Env {
  SyscallEnv env;
  Env() {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    env.fds[0] = sv[0];
    env.fds[1] = sv[1];
    env.harness_pid = getpid();
  }
  ~Env() { CloseAll(env); }
};

Op MakeOp(Call call, std::vector<int> fds, std::vector<int64_t> ints) {
  Op op;
  op.call = call;
  op.fds = std::move(fds);
  op.ints = std::move(ints);
  return op;
}

TEST(SyscallsEpoll, EpollWaitNamesTheReadyFdByItsSlot) {
  Env e;
  Op create = MakeOp(Call::kEpollCreate1, {}, {EPOLL_CLOEXEC});
  create.results = {2};
  ASSERT_EQ(RunCall(create, e.env).ret, 0);
  ASSERT_EQ(e.env.fds.count(2), 1u);
  EXPECT_EQ(fcntl(e.env.fds[2], F_GETFD), FD_CLOEXEC);
  Op ctl = MakeOp(Call::kEpollCtl, {2, 1}, {EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT});
  ASSERT_EQ(RunCall(ctl, e.env).ret, 0);
  Op wait = MakeOp(Call::kEpollWait, {2}, {8, 0});
  Observation o = RunCall(wait, e.env);
  EXPECT_EQ(o.ret, 1);
  EXPECT_EQ(o.ready, (Ready{{1, EPOLLOUT}}));  // slot 1, not its fd number
  ASSERT_EQ(write(e.env.fds[0], "x", 1), 1);
  o = RunCall(wait, e.env);
  EXPECT_EQ(o.ready, (Ready{{1, EPOLLIN | EPOLLOUT}}));
  // Adding it twice is EEXIST, as the kernel says.
  EXPECT_EQ(RunCall(ctl, e.env).err, EEXIST);
}

TEST(SyscallsEpoll, SelectReportsEachSetPerSlot) {
  Env e;
  Op sel = MakeOp(Call::kSelect, {1, 1, 1}, {1, 1, 1, 0});
  Observation o = RunCall(sel, e.env);
  EXPECT_EQ(o.ret, 1);
  EXPECT_EQ(o.ready, (Ready{{1, kWriteSet}}));
  ASSERT_EQ(write(e.env.fds[0], "x", 1), 1);
  sel.call = Call::kPselect;
  o = RunCall(sel, e.env);
  EXPECT_EQ(o.ret, 2);
  EXPECT_EQ(o.ready, (Ready{{1, kReadSet | kWriteSet}}));
}

TEST(SyscallsEpoll, IoctlWithAnArgumentSetsWithoutOneGets) {
  Env e;
  Observation set = RunCall(MakeOp(Call::kIoctl, {1}, {FIONBIO, 1}), e.env);
  EXPECT_EQ(set.value, 0);
  EXPECT_EQ(fcntl(e.env.fds[1], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  ASSERT_EQ(write(e.env.fds[0], "abc", 3), 3);
  EXPECT_EQ(RunCall(MakeOp(Call::kIoctl, {1}, {FIONREAD}), e.env).value, 3);
}

TEST(SyscallsEpoll, PidArgumentsBecomeThatProcessesPid) {
  Env e;
  e.env.peer_pids = {0, getpid()};
  Op own = MakeOp(Call::kFcntl, {1}, {F_SETOWN, 0});
  own.pid_args = {{1, 1}};  // pid(peer 1)
  EXPECT_EQ(RunCall(own, e.env).ret, 0);
  EXPECT_EQ(RunCall(MakeOp(Call::kFcntl, {1}, {F_GETOWN, 0}), e.env).value,
            getpid());
}

TEST(SyscallsEpoll, FcntlDupfdBindsTheNewFdAndGetflShowsTheAccessMode) {
  Env e;
  Op dup = MakeOp(Call::kFcntl, {1}, {F_DUPFD_CLOEXEC, 0});
  dup.results = {2};
  Observation o = RunCall(dup, e.env);
  ASSERT_EQ(o.ret, 0);
  ASSERT_EQ(o.ids.size(), 1u);
  EXPECT_EQ(fcntl(e.env.fds[2], F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(RunCall(MakeOp(Call::kFcntl, {2}, {F_GETFL, 0}), e.env).value,
            O_RDWR);
}

TEST(SyscallsEpoll, ReadyTextNamesFdsInSlotOrder) {
  const std::vector<std::string> names = {"a", "b", "e"};
  EXPECT_EQ(ReadyText(Call::kEpollWait, {{1, EPOLLOUT}, {0, EPOLLIN | EPOLLHUP}},
                      names),
            "events(a=EPOLLIN|EPOLLHUP, b=EPOLLOUT)");
  EXPECT_EQ(ReadyText(Call::kSelect, {{1, kReadSet | kExceptSet}, {0, kReadSet}},
                      names),
            "readfds(a, b) exceptfds(b)");
  EXPECT_EQ(ReadyText(Call::kPselect, {}, names), "0");
}

}  // namespace
}  // namespace sockspec
