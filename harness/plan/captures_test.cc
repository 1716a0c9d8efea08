#include "harness/plan/captures.h"

#include <limits>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

using Term = IntExpr::Term;

// `$sndbuf / 4 + 1` in postfix, with $sndbuf in slot 0.
IntExpr QuarterPlusOne() {
  IntExpr e;
  e.text = "$sndbuf / 4 + 1";
  e.postfix = {{Term::Kind::kCapture, 0}, {Term::Kind::kConst, 4},
               {Term::Kind::kDiv, 0},     {Term::Kind::kConst, 1},
               {Term::Kind::kAdd, 0}};
  return e;
}

TEST(Captures, EvaluatesArithmeticOverCapturedValues) {
  absl::StatusOr<int64_t> v = EvalIntExpr(QuarterPlusOne(), {"sndbuf"}, {212992});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 53249);
}

TEST(Captures, NamesACaptureWithoutAValue) {
  absl::StatusOr<int64_t> v = EvalIntExpr(QuarterPlusOne(), {"sndbuf"}, {std::nullopt});
  EXPECT_EQ(v.status().message(),
            "$sndbuf has no value: the step that captures it gave none");
}

TEST(Captures, DivisionByZeroAndOverflowAreErrors) {
  IntExpr div;
  div.text = "$n / 0";
  div.postfix = {{Term::Kind::kCapture, 0}, {Term::Kind::kConst, 0}, {Term::Kind::kDiv, 0}};
  EXPECT_EQ(EvalIntExpr(div, {"n"}, {5}).status().message(), "'$n / 0' divides by zero");
  IntExpr mul;
  mul.text = "$n * 2";
  mul.postfix = {{Term::Kind::kCapture, 0}, {Term::Kind::kConst, 2}, {Term::Kind::kMul, 0}};
  EXPECT_EQ(EvalIntExpr(mul, {"n"}, {std::numeric_limits<int64_t>::max()}).status().message(),
            "'$n * 2' overflows a 64-bit integer");
}

TEST(Captures, ResolvesArgumentsSlicesAndExpectedRanges) {
  Op op;
  op.ints = {0, 7};
  op.data = "0123456789";
  op.dynamic.push_back({DynamicInt::Target::kInt, 0, QuarterPlusOne()});
  IntExpr three;
  three.text = "3";
  three.postfix = {{Term::Kind::kConst, 3}};
  op.dynamic.push_back({DynamicInt::Target::kDataEnd, 0, three});
  Outcome o;
  o.dynamic.push_back({DynamicInt::Target::kRetMin, 0, three});
  o.dynamic.push_back({DynamicInt::Target::kRetMax, 0, QuarterPlusOne()});
  op.expect.any_of.push_back(o);
  ASSERT_TRUE(ResolveCaptures({"sndbuf"}, {8}, &op).ok());
  EXPECT_EQ(op.ints[0], 3);
  EXPECT_EQ(op.data, "012");
  ASSERT_TRUE(op.expect.any_of[0].ret.has_value());
  EXPECT_EQ(op.expect.any_of[0].ret->min, 3);
  EXPECT_EQ(op.expect.any_of[0].ret->max, 3);
  EXPECT_FALSE(HasDynamic(op));
}

TEST(Captures, ASliceOutsideItsPayloadIsAnError) {
  Op op;
  op.data = "0123";
  op.dynamic.push_back({DynamicInt::Target::kDataEnd, 0, QuarterPlusOne()});
  absl::Status s = ResolveCaptures({"sndbuf"}, {40}, &op);
  EXPECT_EQ(s.message(),
            "slice [0:$sndbuf / 4 + 1] = [0:11] is out of range for a payload of 4 bytes");
}

}  // namespace
}  // namespace sockspec
