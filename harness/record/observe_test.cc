// record --under without a real guest: a fake system answers with observed
// rows, and the platform lines land under the right steps, or are left to a
// person where the guest contradicts its own line or is not stable.
#include "harness/record/observe.h"

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeGuest : public Guest {
 public:
  explicit FakeGuest(std::vector<ObservedRow> rows) : rows_(std::move(rows)) {}
  std::string System() const override { return "gvisor-20990101"; }
  std::string Platform() const override { return "gvisor"; }
  absl::Status CheckPrerequisites() override { return absl::OkStatus(); }
  absl::StatusOr<GuestRun> Run(const std::vector<std::string>&, const RunConfig&) override {
    return absl::UnimplementedError("not here");
  }
  absl::StatusOr<std::string> RunSockspec(const std::vector<std::string>& args) override {
    args_ = args;
    return ObservedJson(rows_);
  }
  std::vector<std::string> args_;

 private:
  std::vector<ObservedRow> rows_;
};

constexpr char kCase[] =
    "title \"t\"\ncovers B01\nsource \"s\"\n"
    "matrix TYPE = SOCK_STREAM, SOCK_SEQPACKET\n"
    "socketpair(AF_UNIX, $TYPE) = a, b\npeer A holds a\npeer B holds b\n"
    "B: close(b) = 0\n"
    "A: write(a, \"x\") = EPIPE\n"                       // line 9
    "   on freebsd = EPIPE  because \"FreeBSD unix(4)\"\n"
    "A: shutdown(a, SHUT_RD) = 0   # stays\n"          // line 11
    "   on gvisor = ENOTCONN  because \"gVisor tests\"\n"
    "A: close(a) = 0\n";                                // line 13

std::string Scratch() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/observeXXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  std::string path = dir + "/x.case";
  std::ofstream(path) << kCase;
  return path;
}

ObservedRow Row(const std::string& instance, bool stable) {
  ObservedRow r;
  r.instance = instance;
  r.stable = stable;
  r.steps = {{8, 1, "0", "", false},
             {9, 1, "EPIPE signal SIGPIPE", "", true},
             {11, 1, "0", "", true},
             {13, 1, "0", "", false}};
  return r;
}

TEST(ObservedJson, RoundTrips) {
  ObservedRow r = Row("SOCK_STREAM", false);
  r.failure = "x.case:9:1: A: write(a, \"x\"): peer A hung";
  r.steps.push_back({14, 2, "", "the call made a new fd: write the name it gets", false});
  absl::StatusOr<std::vector<ObservedRow>> back = ParseObservedJson(ObservedJson({r}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].instance, "SOCK_STREAM");
  EXPECT_FALSE((*back)[0].stable);
  EXPECT_EQ((*back)[0].failure, r.failure);
  ASSERT_EQ((*back)[0].steps.size(), 5u);
  EXPECT_EQ((*back)[0].steps[1].answer, "EPIPE signal SIGPIPE");
  EXPECT_TRUE((*back)[0].steps[1].diverged);
  EXPECT_EQ((*back)[0].steps[4].error, r.steps[4].error);
  EXPECT_FALSE(ParseObservedJson("{").ok());
}

TEST(RecordUnder, AddsTheGuestsLineAfterTheStepsOtherPlatformLines) {
  const std::string path = Scratch();
  FakeGuest guest({Row("SOCK_STREAM", true), Row("SOCK_SEQPACKET", true)});
  absl::StatusOr<FileRecord> r = RecordUnder(path, guest, RecordOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(guest.args_, ElementsAre("record", "--inner-run=gvisor", "--", path));
  EXPECT_THAT(r->recorded,
              HasSubstr("   on freebsd = EPIPE  because \"FreeBSD unix(4)\"\n"
                        "   on gvisor = EPIPE signal SIGPIPE because \"observed with "
                        "gvisor-20990101\"\nA: shutdown(a, SHUT_RD) = 0   # stays\n"));
  ASSERT_EQ(r->filled.size(), 1u);
  // The step that has a gvisor line already is not rewritten.
  ASSERT_EQ(r->attention.size(), 1u);
  EXPECT_THAT(r->attention[0],
              HasSubstr("x.case:11:1: gvisor-20990101 no longer gives the gvisor answer "
                        "written there: it gives 0"));
  EXPECT_THAT(r->recorded, HasSubstr("   on gvisor = ENOTCONN  because \"gVisor tests\"\n"));
}

TEST(RecordUnder, RecordsNothingThatChangedOnTheSecondRun) {
  const std::string path = Scratch();
  FakeGuest guest({Row("SOCK_STREAM", false), Row("SOCK_SEQPACKET", true)});
  absl::StatusOr<FileRecord> r = RecordUnder(path, guest, RecordOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->recorded, r->original);
  EXPECT_THAT(r->attention[0],
              HasSubstr("[SOCK_STREAM] " + path + ":9:1: the answer changed when run again"));
}

TEST(RecordUnder, AGuestThatRanOtherInstancesIsAnError) {
  const std::string path = Scratch();
  FakeGuest guest({Row("SOCK_STREAM", true)});
  absl::StatusOr<FileRecord> r = RecordUnder(path, guest, RecordOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("ran 1 instances"));
}

TEST(RecordUnder, LeavesTheGuestsKnownFailuresAlone) {
  const std::string path = Scratch();
  FakeGuest guest({Row("SOCK_STREAM", true), Row("SOCK_SEQPACKET", false)});
  RecordOptions options;
  options.known_failure = [](const std::string&, const std::string& instance) {
    return instance == "SOCK_SEQPACKET" ? std::string("listed in gvisor.xfail") : std::string();
  };
  absl::StatusOr<FileRecord> r = RecordUnder(path, guest, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_THAT(r->skipped[0], HasSubstr("[SOCK_SEQPACKET] an expected failure: listed in gvisor.xfail"));
  // The stream row alone decides the line.
  EXPECT_THAT(r->recorded, HasSubstr("   on gvisor = EPIPE signal SIGPIPE because"));
}

}  // namespace
}  // namespace sockspec
