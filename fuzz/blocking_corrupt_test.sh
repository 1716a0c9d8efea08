#!/usr/bin/env bash
# blocking_fuzzer's oracle test: with SOCKSPEC_CORRUPT set it falsifies one
# result per input (drop-byte, wrong-errno: a result the model judges) or
# plans a call that completes as `blocks` (misplace-blocks: the executor
# judges it), and must abort with the steps, the failing one marked. The
# misplaced call is checked per kind on seeds that reach it: a write, a
# named setup's accept, connect and datagram recv.
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
  grep -q 'over peers A (a), B (b), C (a' <<< "$2" ||
    fail "$1: no steps in output: $2"
  grep -q '^>' <<< "$2" || fail "$1: the failing step is not marked: $2"
  grep -q '^peer A holds ' <<< "$2" || fail "$1: no case text: $2"
}

out=$("$replayer" "$corpus" 2>&1) || fail "clean replay failed: $out"

for mode in drop-byte wrong-errno misplace-blocks; do
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$corpus" 2>&1)
  expect_caught "$mode (replay)" "$out" $?
  echo "$mode: caught on replay"
done
out=$(SOCKSPEC_CORRUPT=misplace-blocks "$replayer" "$corpus" 2>&1)
grep -q 'expected blocks' <<< "$out" || fail "misplace-blocks: no reason given: $out"

# SEED and the marked step it must fail at.
while read -r seed step; do
  out=$(SOCKSPEC_CORRUPT=misplace-blocks "$replayer" "$corpus/$seed" 2>&1)
  expect_caught "misplace-blocks ($seed)" "$out" $?
  grep -q 'expected blocks' <<< "$out" ||
    fail "misplace-blocks ($seed): no reason given: $out"
  grep -Eq "^> +[0-9]+\. [A-D]: $step" <<< "$out" ||
    fail "misplace-blocks ($seed): the marked step is not $step: $out"
  echo "misplace-blocks: caught at $step ($seed)"
done <<'SEEDS'
stream-blocking-write-completes send\(a,
named-stream-accept-woken-by-connect accept\(l\)
named-seqpacket-connect-woken-by-accept connect\(b,
named-dgram-recv-woken-by-sendto recv\(a,
SEEDS

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
