#include "harness/exec/peer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harness/exec/rundir.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace {

using Leaks = std::vector<std::pair<int, std::string>>;

TEST(Peer, ChecksFdLeaksAroundRecvmsgOnly) {
  // recvmsg is where the kernel installs fds (SCM_RIGHTS) of its own accord.
  Op op;
  op.call = Call::kRecvmsg;
  EXPECT_TRUE(ChecksFdLeaks(op));
  op.call = Call::kRead;
  EXPECT_FALSE(ChecksFdLeaks(op));
}

TEST(Peer, AnFdOpenedButNotHeldIsALeakNamedByWhatItIs) {
  SyscallEnv env;
  const std::set<int> before = OpenFds();
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  env.fds[0] = sv[0];  // bound to a name by the call: not a leak
  const std::set<int> after = OpenFds();
  Leaks leaked = UnheldNewFds(before, after, env);
  EXPECT_EQ(leaked, (Leaks{{sv[1], "socket"}, {p[0], "pipe"}, {p[1], "pipe"}}));
  for (int fd : {sv[0], sv[1], p[0], p[1]}) close(fd);
}

TEST(Peer, FdsOpenBeforeTheCallAreNotLeaks) {
  // The harness's own fds (control pipes, stdio) stay open across every call.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const std::set<int> before = OpenFds();
  EXPECT_TRUE(UnheldNewFds(before, OpenFds(), SyscallEnv()).empty());
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace sockspec
