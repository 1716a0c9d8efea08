#include "harness/exec/signal_record.h"

#include <signal.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

TEST(SignalRecord, RecordsACaughtSignalUntilCleared) {
  ASSERT_EQ(SetSignalAction(SIGUSR1, SA_RESTART), 0);
  ClearCaughtSignals();
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(CaughtSignals(), std::vector<int>{SIGUSR1});
  ClearCaughtSignals();
  EXPECT_TRUE(CaughtSignals().empty());
  SetSignalAction(SIGUSR1, kSigDispositionDefault);
}

TEST(SignalRecord, AnIgnoredSignalIsNotRecorded) {
  ASSERT_EQ(SetSignalAction(SIGUSR2, kSigDispositionIgnore), 0);
  ClearCaughtSignals();
  ASSERT_EQ(raise(SIGUSR2), 0);
  EXPECT_TRUE(CaughtSignals().empty());
  SetSignalAction(SIGUSR2, kSigDispositionDefault);
}

TEST(SignalRecord, SigkillCannotBeCaught) {
  // sigaction(2): EINVAL for SIGKILL and SIGSTOP.
  EXPECT_EQ(SetSignalAction(SIGKILL, SA_RESTART), EINVAL);
}

TEST(SignalRecord, RecordsTheObservableSignalsButNotTheCrashes) {
  EXPECT_TRUE(IsRecordedSignal(SIGPIPE));
  EXPECT_TRUE(IsRecordedSignal(SIGIO));
  EXPECT_TRUE(IsRecordedSignal(SIGRTMIN));
  EXPECT_FALSE(IsRecordedSignal(SIGSEGV));
  EXPECT_FALSE(IsRecordedSignal(SIGTERM));
}

}  // namespace
}  // namespace sockspec
