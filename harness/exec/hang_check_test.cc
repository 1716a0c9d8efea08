#include "harness/exec/hang_check.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

using Role = HangView::Role;

// A process asleep in system call `nr` with first argument `fd`.
ProcState Asleep(int64_t nr, uint64_t fd, int64_t switches = 7) {
  ProcState s;
  s.state = 'S';
  s.has_syscall = s.in_syscall = true;
  s.nr = nr;
  s.arg0 = s.args[0] = fd;
  s.syscall_line = std::to_string(nr) + " " + std::to_string(fd);
  s.switches = switches;
  return s;
}

std::vector<HangView> TwoPeers() {
  // B runs read(b) on fd 5; A waits for its next command on fd 3.
  return {{"A", 10, Role::kIdle, -1, 3}, {"B", 11, Role::kInFlight, 5, 4}};
}

using Snap = std::vector<std::optional<ProcState>>;

TEST(HangCheck, ReadWithTheOtherPeerIdleIsCertain) {
  Snap s = {Asleep(SYS_read, 3), Asleep(SYS_read, 5)};
  std::optional<std::string> why = DecideCertainHang(TwoPeers(), s, s, {});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "B is asleep in read on fd 5; A waits for a command; "
            "no timeout, timer or signal can end it");
}

TEST(HangCheck, AContextSwitchBetweenSnapshotsIsNotCertain) {
  // B woke and slept again between the looks: something moved.
  Snap a = {Asleep(SYS_read, 3), Asleep(SYS_read, 5, 7)};
  Snap b = {Asleep(SYS_read, 3), Asleep(SYS_read, 5, 8)};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), a, b, {}).has_value());
}

TEST(HangCheck, AnOtherPeerStillRunningIsNotCertain) {
  ProcState running = Asleep(SYS_read, 3);
  running.state = 'R';
  Snap a = {running, Asleep(SYS_read, 5)};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), a, a, {}).has_value());
}

TEST(HangCheck, APendingSignalIsNotCertain) {
  ProcState b = Asleep(SYS_read, 5);
  b.signal_pending = true;
  Snap a = {Asleep(SYS_read, 3), b};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), a, a, {}).has_value());
}

TEST(HangCheck, ArmedTimeoutOptionIsNotCertain) {
  // SO_RCVTIMEO ends a blocked read with EAGAIN.
  Snap s = {Asleep(SYS_read, 3), Asleep(SYS_read, 5)};
  HangRules rules;
  rules.timeouts_armed = true;
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, rules).has_value());
}

TEST(HangCheck, WithoutTheSyscallFileNothingIsCertain) {
  // gVisor: state S alone may be a page fault or a scheduling sleep.
  ProcState b;
  b.state = 'S';
  b.switches = 7;
  Snap s = {Asleep(SYS_read, 3), b};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
}

TEST(HangCheck, PollWithATimeoutIsNotCertainButWithoutOneItIs) {
  ProcState timed = Asleep(SYS_poll, 5);
  timed.args[2] = 100;
  Snap s = {Asleep(SYS_read, 3), timed};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
  ProcState forever = Asleep(SYS_poll, 5);
  forever.args[2] = 0xffffffffffffffffull;  // -1
  s = {Asleep(SYS_read, 3), forever};
  EXPECT_TRUE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
}

TEST(HangCheck, ConnectAndAcceptAreCertainUnlessThePlanMakesInetSockets) {
  // An AF_UNIX connect waits for room in the backlog, which only an accept
  // or the listener's close makes; TCP retransmits a dropped SYN, so time
  // can complete an inet connect or accept.
  HangRules inet;
  inet.inet = true;
  for (int64_t nr : {SYS_connect, SYS_accept4}) {
    Snap s = {Asleep(SYS_read, 3), Asleep(nr, 5)};
    std::optional<std::string> why = DecideCertainHang(TwoPeers(), s, s, {});
    ASSERT_TRUE(why.has_value()) << nr;
    const std::string head = std::string("B is asleep in ") + UntimedCallName(nr) + " on fd 5; ";
    EXPECT_EQ(why->substr(0, head.size()), head);
    EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, inet).has_value()) << nr;
  }
}

TEST(HangCheck, RecvmmsgIsCertainOnlyWithoutATimeout) {
  ProcState forever = Asleep(SYS_recvmmsg, 5);  // args[4], the timeout, is NULL
  Snap s = {Asleep(SYS_read, 3), forever};
  std::optional<std::string> why = DecideCertainHang(TwoPeers(), s, s, {});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->substr(0, 33), "B is asleep in recvmmsg on fd 5; ");
  ProcState timed = forever;
  timed.args[4] = 0x7ffc0000;
  s = {Asleep(SYS_read, 3), timed};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
}

TEST(HangCheck, APeerAsleepInItsOwnCallCannotWakeTheStep) {
  std::vector<HangView> v = TwoPeers();
  v[0].role = Role::kPending;
  v[0].call_fd = 6;
  Snap s = {Asleep(SYS_write, 6), Asleep(SYS_read, 5)};
  std::optional<std::string> why = DecideCertainHang(v, s, s, {});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "B is asleep in read on fd 5; A is asleep in its own write; "
            "no timeout, timer or signal can end it");
}

TEST(HangCheck, EpollWaitAndSelectWithoutATimeoutAreCertain) {
  ProcState timed = Asleep(SYS_epoll_wait, 5);
  timed.args[3] = 100;
  Snap s = {Asleep(SYS_read, 3), timed};
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
  ProcState forever = Asleep(SYS_epoll_pwait, 5);
  forever.args[3] = 0xffffffffull;  // an int -1
  s = {Asleep(SYS_read, 3), forever};
  std::optional<std::string> why = DecideCertainHang(TwoPeers(), s, s, {});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->substr(0, 34), "B is asleep in epoll_pwait on fd 5");
  // select's fds sit in its sets: the step names no fd (-1).
  std::vector<HangView> v = TwoPeers();
  v[1].call_fd = -1;
  ProcState sel = Asleep(SYS_pselect6, 6);
  s = {Asleep(SYS_read, 3), sel};  // args[4], the timeout, is NULL
  why = DecideCertainHang(v, s, s, {});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->substr(0, 34), "B is asleep in pselect6 (nfds 6); ");
  sel.args[4] = 0x7ffc0000;
  s = {Asleep(SYS_read, 3), sel};
  EXPECT_FALSE(DecideCertainHang(v, s, s, {}).has_value());
}

TEST(HangCheck, InFlightPeerOnAnotherFdIsNotThisCall) {
  Snap s = {Asleep(SYS_read, 3), Asleep(SYS_read, 4)};  // its control pipe
  EXPECT_FALSE(DecideCertainHang(TwoPeers(), s, s, {}).has_value());
}

TEST(HangRules, EitherFormOfTheSocketTimeoutsArmsThem) {
  // socket(7): SO_RCVTIMEO_NEW (the 64-bit time form) ends a sleep as
  // SO_RCVTIMEO does; a TCP option of the same number does not.
  for (int64_t option : {int64_t{SO_RCVTIMEO}, int64_t{SO_SNDTIMEO},
                         int64_t{SO_RCVTIMEO_NEW}, int64_t{SO_SNDTIMEO_NEW}}) {
    Plan plan;
    Op op;
    op.call = Call::kSetsockopt;
    op.ints = {SOL_SOCKET, option, -1};
    plan.ops.push_back(op);
    EXPECT_TRUE(RulesFor(plan).timeouts_armed) << option;
  }
  Plan plan;
  Op op;
  op.call = Call::kSetsockopt;
  op.ints = {IPPROTO_TCP, SO_RCVTIMEO, -1};
  plan.ops.push_back(op);
  EXPECT_FALSE(RulesFor(plan).timeouts_armed);
}

}  // namespace
}  // namespace sockspec

namespace sockspec {
namespace {

Op AlarmOp(int peer, int64_t seconds) {
  Op op;
  op.peer = peer;
  op.call = Call::kAlarm;
  op.ints = {seconds};
  return op;
}

TEST(HangCheck, AnAlarmIsArmedUntilItsPeerExpectsSigalrm) {
  // alarm(1) sends SIGALRM: a sleep without SA_RESTART ends in EINTR, so
  // no sleep is certain while it may still fire.
  Plan plan;
  plan.peers.resize(2);
  plan.ops.push_back(AlarmOp(1, 1));          // 0: B: alarm(1)
  Op read;
  read.peer = 1;
  read.call = Call::kRead;
  plan.ops.push_back(read);                   // 1: B: read(b, 10) blocks
  Op wakes;
  wakes.peer = 1;
  wakes.call = Call::kWakes;
  Outcome eintr;
  eintr.kind = Outcome::Kind::kErrno;
  eintr.signals = {SIGALRM};
  wakes.expect.any_of.push_back(eintr);
  plan.ops.push_back(wakes);                  // 2: B: wakes = EINTR signal SIGALRM
  plan.ops.push_back(read);                   // 3: B: read(b, 10)
  const HangRules rules = RulesFor(plan);
  EXPECT_FALSE(rules.timeouts_armed);
  EXPECT_FALSE(RulesAtOp(rules, 0).timeouts_armed);
  EXPECT_TRUE(RulesAtOp(rules, 1).timeouts_armed);
  EXPECT_TRUE(RulesAtOp(rules, 2).timeouts_armed);
  EXPECT_FALSE(RulesAtOp(rules, 3).timeouts_armed);
}

TEST(HangCheck, AnAlarmOfZeroCancelsTheTimer) {
  Plan plan;
  plan.peers.resize(1);
  plan.ops = {AlarmOp(0, 5), AlarmOp(0, 0), AlarmOp(0, 0)};
  const HangRules rules = RulesFor(plan);
  EXPECT_TRUE(RulesAtOp(rules, 1).timeouts_armed);
  EXPECT_FALSE(RulesAtOp(rules, 2).timeouts_armed);
}

}  // namespace
}  // namespace sockspec
