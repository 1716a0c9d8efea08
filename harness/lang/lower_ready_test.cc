// Lowering of the readiness calls (epoll_create1, epoll_ctl, epoll_wait,
// select, pselect), of ioctl/fcntl arguments that name a peer's pid, and the
// checks on what kind of fd a call is given.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"

namespace sockspec {
namespace {

constexpr char kHeader[] =
    "title \"t\"\ncovers B100\nsource \"s\"\n"
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n"
    "B: epoll_create1(EPOLL_CLOEXEC) = e\n";

constexpr TestCases kCases(kHeader);

using Ready = std::vector<std::pair<int, int64_t>>;

TEST(LowerReady, EpollCtlCarriesBothFdsAndTheEvents) {
  LoadedCase c = kCases.Load("B: epoll_ctl(e, EPOLL_CTL_ADD, b, EPOLLIN|EPOLLET) = 0\n"
                      "B: epoll_ctl(e, EPOLL_CTL_DEL, b) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& add = c.plans[0].ops[2];
  EXPECT_EQ(add.call, Call::kEpollCtl);
  EXPECT_EQ(add.fds, (std::vector<int>{2, 1}));
  EXPECT_EQ(add.ints, (std::vector<int64_t>{EPOLL_CTL_ADD,
                                            EPOLLIN | int64_t{EPOLLET}}));
  // DEL leaves the events out: 0 stands in for them.
  EXPECT_EQ(c.plans[0].ops[3].ints, (std::vector<int64_t>{EPOLL_CTL_DEL, 0}));
}

TEST(LowerReady, EpollWaitEventsNameFdsAndImplyTheCount) {
  LoadedCase c = kCases.Load(
      "B: epoll_wait(e, 8, -1) = events(b=EPOLLIN|EPOLLOUT)\n"
      "B: epoll_wait(e, 8) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& wait = c.plans[0].ops[2];
  EXPECT_EQ(wait.ints, (std::vector<int64_t>{8, -1}));
  const Outcome& o = wait.expect.any_of[0];
  ASSERT_TRUE(o.ready.has_value());
  EXPECT_EQ(*o.ready, (Ready{{1, EPOLLIN | EPOLLOUT}}));
  EXPECT_EQ(o.ret->min, 1);
  // The timeout defaults to 0; `0` is nothing ready.
  const Op& none = c.plans[0].ops[3];
  EXPECT_EQ(none.ints, (std::vector<int64_t>{8, 0}));
  EXPECT_EQ(*none.expect.any_of[0].ready, Ready{});
  EXPECT_EQ(none.expect.any_of[0].ret->max, 0);
}

TEST(LowerReady, AnElementOfAnFdArrayIsNamedInEvents) {
  LoadedCase c = kCases.Load("B: repeat 2 dup(b) = c[]\n"
                      "B: epoll_ctl(e, EPOLL_CTL_ADD, c[1], EPOLLOUT) = 0\n"
                      "B: epoll_wait(e, 8) = events(c[1]=EPOLLOUT)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Plan& plan = c.plans[0];
  ASSERT_EQ(plan.fd_names[4], "c[1]");
  EXPECT_EQ(*plan.ops.back().expect.any_of[0].ready,
            (Ready{{4, EPOLLOUT}}));
  EXPECT_EQ(plan.ops.back().expect.text, "events(c[1]=EPOLLOUT)");
}

TEST(LowerReady, SelectSetsBecomeFdsAndSizesAndTheResultCountsBits) {
  LoadedCase c = kCases.Load(
      "B: select(readfds(b, e), writefds(b), exceptfds(), -1) = "
      "readfds(b) writefds(b)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[2];
  EXPECT_EQ(op.fds, (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(op.ints, (std::vector<int64_t>{2, 1, 0, -1}));
  const Outcome& o = op.expect.any_of[0];
  EXPECT_EQ(*o.ready, (Ready{{1, kReadSet | kWriteSet}}));
  EXPECT_EQ(o.ret->min, 2);  // select counts bits, not fds
}

TEST(LowerReady, PidArgumentsAndResultsNameAPeer) {
  LoadedCase c = kCases.Load("B: fcntl(b, F_SETOWN, pid(A)) = 0\n"
                      "B: fcntl(b, F_GETOWN) = pid(A)\n"
                      "B: ioctl(b, FIOSETOWN, pid(harness)) = 0\n"
                      "B: ioctl(b, FIONREAD) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  EXPECT_EQ(ops[2].pid_args, (std::vector<std::pair<size_t, int>>{{1, 0}}));
  EXPECT_EQ(ops[3].expect.any_of[0].value_pid_of, 0);
  EXPECT_EQ(ops[4].pid_args,
            (std::vector<std::pair<size_t, int>>{{1, CredSpec::kHarness}}));
  // A getter has no argument: ints holds the request alone.
  EXPECT_EQ(ops[5].ints, (std::vector<int64_t>{FIONREAD}));
}

TEST(LowerReady, FcntlDupfdBindsANewFd) {
  LoadedCase c = kCases.Load("B: fcntl(b, F_DUPFD_CLOEXEC, 0) = d\nB: close(d) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  EXPECT_EQ(c.plans[0].ops[2].results, std::vector<int>{3});
  EXPECT_EQ(kCases.FirstError("B: fcntl(b, F_DUPFD, 0) = 3\n"),
            "'fcntl' returns a new fd: name it (= s)");
}

TEST(LowerReady, RejectsResultsThatAreNotReadiness) {
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(e, 8) = EPOLLIN\n"),
            "'epoll_wait' returns events(fd=EPOLLIN|..., ...), or 0 for "
            "nothing ready; found 'EPOLLIN'");
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(e, 8) = events(b)\n"),
            "'events' lists fd=EVENTS pairs (a=EPOLLIN|EPOLLOUT), found 'b'");
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(e, 8) = events(b=POLLIN)\n"),
            "'events' takes an epoll event, not 'POLLIN' (a poll event)");
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(e, 8) = events(zz=EPOLLIN)\n"),
            "undeclared fd 'zz'");
  EXPECT_EQ(kCases.FirstError("B: select(readfds(b), writefds(), exceptfds()) = "
                       "readfds(b) readfds(b)\n"),
            "'readfds' is given twice");
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(e, 8) = ETIMEDOUT\n"), "");
}

TEST(LowerReady, RejectsArgumentsOfTheWrongKind) {
  EXPECT_EQ(kCases.FirstError("B: epoll_ctl(e, EPOLLIN, b, EPOLLIN) = 0\n"),
            "'op' takes an epoll_ctl operation, not 'EPOLLIN' (an epoll event)");
  EXPECT_EQ(kCases.FirstError("B: epoll_create1(O_NONBLOCK) = f\n"),
            "'flags' takes an epoll_create1 flag, not 'O_NONBLOCK' (a file "
            "status flag)");
  EXPECT_EQ(kCases.FirstError("B: select(b, writefds(), exceptfds()) = 0\n"),
            "'select' takes its readfds set here: readfds(fd, ...), found 'b'");
  EXPECT_EQ(kCases.FirstError("B: ioctl(b, FIONBIO, O_NONBLOCK) = 0\n"),
            "expected a number or pid(PEER) for 'arg', found 'O_NONBLOCK'");
  EXPECT_EQ(kCases.FirstError("B: fcntl(b, F_SETOWN, pid(A, B)) = 0\n"),
            "'pid' takes one peer or 'harness': pid(A)");
}

TEST(LowerReady, AnEpollFdIsNoSocketWhereSuccessIsExpected) {
  EXPECT_EQ(kCases.FirstError("B: recv(e, 1, 0) = \"x\"\n"),
            "fd 'e' is an epoll instance, not a socket: 'recv' on it fails "
            "ENOTSOCK");
  EXPECT_EQ(kCases.FirstError("B: epoll_ctl(b, EPOLL_CTL_ADD, e, EPOLLIN) = 0\n"),
            "'epoll_ctl' needs an epoll fd (from epoll_create1); 'b' is a "
            "socket: it fails EINVAL");
  // Stating the failure is what a case about the errno does.
  EXPECT_EQ(kCases.FirstError("B: recv(e, 1, 0) = ENOTSOCK\n"), "");
  EXPECT_EQ(kCases.FirstError("B: epoll_wait(b, 1) = EINVAL\n"), "");
  // A dup of an epoll fd is one too.
  EXPECT_EQ(kCases.FirstError("B: dup(e) = f\nB: getsockname(f) = unnamed\n"),
            "fd 'f' is an epoll instance, not a socket: 'getsockname' on it "
            "fails ENOTSOCK");
}

}  // namespace
}  // namespace sockspec
