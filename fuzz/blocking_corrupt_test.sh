#!/usr/bin/env bash
# blocking_fuzzer's oracle test: with SOCKSPEC_CORRUPT set it falsifies one
# result per input (drop-byte, wrong-errno: a result the model judges) or
# plans a read that completes as `blocks` (misplace-blocks: the executor
# judges it), and must abort with the steps, the failing one marked.
#   blocking_corrupt_test.sh REPLAYER FUZZER CORPUS
# REPLAYER replays CORPUS (any build); FUZZER under --config=fuzz is
# libFuzzer, which must find each fault within 300 runs from CORPUS.
set -uo pipefail
replayer=$1 fuzzer=$2 corpus=$3
if [[ -n ${TEST_TMPDIR:-} ]]; then
  tmp=$TEST_TMPDIR
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi
fail() { echo "FAIL: $*" >&2; exit 1; }

expect_caught() {  # MODE OUTPUT STATUS
  [[ $3 == 134 || $3 == 77 ]] ||
    fail "$1: expected an abort, got exit $3; output: $2"
  grep -q 'over peers A (a), B (b), C (a, b)' <<< "$2" ||
    fail "$1: no steps in output: $2"
  grep -q '^>' <<< "$2" || fail "$1: the failing step is not marked: $2"
  grep -q '^peer C holds a, b$' <<< "$2" || fail "$1: no case text: $2"
}

out=$("$replayer" "$corpus" 2>&1) || fail "clean replay failed: $out"

for mode in drop-byte wrong-errno misplace-blocks; do
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$corpus" 2>&1)
  expect_caught "$mode (replay)" "$out" $?
  echo "$mode: caught on replay"
done
out=$(SOCKSPEC_CORRUPT=misplace-blocks "$replayer" "$corpus" 2>&1)
grep -q 'expected blocks' <<< "$out" || fail "misplace-blocks: no reason given: $out"

mkdir -p "$tmp/empty"
probe=$("$fuzzer" -runs=0 "$tmp/empty" 2>&1)
if grep -q '^replayed 0 inputs' <<< "$probe"; then
  echo "libFuzzer not linked (build with --config=fuzz): fuzzing part skipped"
  exit 0
fi
for mode in drop-byte misplace-blocks; do
  mkdir -p "$tmp/$mode"
  out=$(SOCKSPEC_CORRUPT=$mode "$fuzzer" -seed=1 -runs=300 \
        -artifact_prefix="$tmp/$mode/" "$tmp/$mode" "$corpus" 2>&1)
  expect_caught "$mode (libFuzzer)" "$out" $?
  echo "$mode: libFuzzer found it"
done
