#!/usr/bin/env bash
# The oracle's own test: with SOCKSPEC_CORRUPT set, ops_fuzzer corrupts one
# result per input (a dropped byte, two swapped bytes, a wrong errno, a wrong
# SO_ERROR or SIOCINQ value) and must abort with a trace naming the divergence.
#   corrupt_test.sh REPLAYER FUZZER CORPUS
# REPLAYER replays CORPUS (any build). FUZZER is :ops_fuzzer: under
# --config=fuzz it is libFuzzer, which must find the fault from an empty
# corpus within a fixed number of runs.
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
  # abort(): SIGABRT (134) from the replayer; libFuzzer reports the deadly
  # signal and exits 77 (its -error_exitcode).
  [[ $3 == 134 || $3 == 77 ]] ||
    fail "$1: expected an abort, got exit $3; output: $2"
  grep -q 'socketpair (non-blocking), divergence at step' <<< "$2" ||
    fail "$1: no trace in output: $2"
  grep -q '^>' <<< "$2" || fail "$1: the divergent step is not marked: $2"
}

out=$("$replayer" "$corpus" 2>&1) || fail "clean replay failed: $out"

for mode in drop-byte swap-bytes wrong-errno wrong-value; do
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$corpus" 2>&1)
  expect_caught "$mode (replay)" "$out" $?
  echo "$mode: caught on replay"
done
out=$(SOCKSPEC_CORRUPT=drop-byte "$replayer" "$corpus" 2>&1)
grep -q 'expected' <<< "$out" || fail "drop-byte: no reason given: $out"
out=$(SOCKSPEC_CORRUPT=wrong-value "$replayer" "$corpus" 2>&1)
grep -qE 'expected (SO_ERROR|SIOCINQ) ' <<< "$out" || fail "wrong-value: no reason given: $out"

# Named sockets (version 4): each v4 seed on its own catches a wrong errno;
# together they catch a wrong name (or value), a dropped and a swapped byte.
v4=("$corpus"/v4-*)
for seed in "${v4[@]}"; do
  out=$(SOCKSPEC_CORRUPT=wrong-errno "$replayer" "$seed" 2>&1)
  expect_caught "wrong-errno (replay of ${seed##*/})" "$out" $?
done
for mode in wrong-value drop-byte swap-bytes; do
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "${v4[@]}" 2>&1)
  expect_caught "$mode (replay of the version-4 seeds)" "$out" $?
done
echo "version 4: wrong-errno caught on each of ${#v4[@]} seeds; wrong-value, drop-byte and swap-bytes on them together"

out=$(SOCKSPEC_CORRUPT=no-such-fault "$replayer" "$corpus" 2>&1)
[[ $? == 2 ]] || fail "an unknown SOCKSPEC_CORRUPT must exit 2: $out"

mkdir -p "$tmp/empty"
probe=$("$fuzzer" -runs=0 "$tmp/empty" 2>&1)
if grep -q '^replayed 0 inputs' <<< "$probe"; then
  echo "libFuzzer not linked (build with --config=fuzz): fuzzing part skipped"
  exit 0
fi
# libFuzzer: from nothing, a fixed seed and a bounded number of runs.
for mode in drop-byte wrong-errno; do
  mkdir -p "$tmp/$mode"
  out=$(SOCKSPEC_CORRUPT=$mode "$fuzzer" -seed=1 -runs=200000 \
        -artifact_prefix="$tmp/$mode/" "$tmp/$mode" 2>&1)
  expect_caught "$mode (libFuzzer)" "$out" $?
  echo "$mode: libFuzzer found it after $(grep -oE '^#[0-9]+' <<< "$out" | tail -1) runs"
done
