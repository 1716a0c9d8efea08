#!/usr/bin/env bash
# Faults caught (README, "Trust"): builds sockspec and the test-only LD_PRELOAD
# library faults/fault_preload.cc, runs the whole suite once per broken
# behaviour and prints the table: fault, exit code, failing instances, an
# example. //faults:faults_test is the same check inside `bazel test`.
# Extra arguments go to `sockspec run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bazel=${BAZEL:-bazel}
$bazel build -c opt //harness:sockspec //faults:libfault_preload.so
bin=$($bazel info -c opt bazel-bin)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; $bazel shutdown >/dev/null 2>&1 || true' EXIT
status=0
TEST_TMPDIR=$tmp bash faults/faults_test.sh "$bin/harness/sockspec" \
  "$bin/faults/libfault_preload.so" cases "$@" || status=$?
exit "$status"
