#!/usr/bin/env bash
# Which instances run: --filter takes a name exactly as --list prints it, or
# a glob (* and ?); a filter that selects nothing exits 2 unless
# --allow-empty; Bazel's --test_filter (TESTBRIDGE_TEST_ONLY) and sharding
# (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX, TEST_SHARD_STATUS_FILE) are honoured;
# `bazel run` resolves paths from BUILD_WORKING_DIRECTORY.
# Usage: filter_shard_test.sh SOCKSPEC PASSES_CASE WRONG_CASE
set -uo pipefail
sockspec=$(realpath "$1")
data=$(dirname "$2")
wrong=$3
out=$TEST_TMPDIR/out
source "$data/checks.sh"
# Our own shard variables stay ours: this test is not sharded by Bazel.
unset TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE TESTBRIDGE_TEST_ONLY

# An instance name pasted from --list (brackets and all) selects exactly it.
name="$wrong [SOCK_SEQPACKET]"
"$sockspec" run --list "$wrong" >"$out" 2>&1
contains list "$name"
"$sockspec" run --filter="$name" "$wrong" >"$out" 2>&1
expect exact 1 $?
contains exact "0 passed, 1 failed"
contains exact "FAIL  $name"

# Globs: * any run of characters, ? one.
"$sockspec" run --filter='*SEQ?ACKET*' "$data/passes.case" "$wrong" >"$out" 2>&1
expect glob 1 $?
contains glob "0 passed, 1 failed"
"$sockspec" run --list --filter='*passes*' "$data/passes.case" "$wrong" >"$out" 2>&1
expect glob-list 0 $?
[[ $(wc -l < "$out") == 1 ]] || { echo "FAIL glob-list: want one line"; cat "$out"; fails=$((fails + 1)); }

# A filter that selects nothing is an error, not a green run.
"$sockspec" run --filter=SEQPACKET "$wrong" >"$out" 2>&1
expect empty 2 $?
contains empty "sockspec: --filter 'SEQPACKET' selects no instance (it matches whole names as \`sockspec run --list\` prints them, * and ? as wildcards; --allow-empty makes this exit 0)"
"$sockspec" run --list --filter=SEQPACKET "$wrong" >"$out" 2>&1
expect empty-list 2 $?
"$sockspec" run --allow-empty --filter=SEQPACKET "$wrong" >"$out" 2>&1
expect allow-empty 0 $?
contains allow-empty "0 passed, 0 failed"

# bazel test --test_filter=... arrives as TESTBRIDGE_TEST_ONLY; --filter wins.
TESTBRIDGE_TEST_ONLY='*SEQPACKET*' "$sockspec" run "$wrong" >"$out" 2>&1
expect testbridge 1 $?
contains testbridge "0 passed, 1 failed"
TESTBRIDGE_TEST_ONLY='*SEQPACKET*' "$sockspec" run --filter='*STREAM*' "$wrong" >"$out" 2>&1
contains testbridge-override "FAIL  $wrong [SOCK_STREAM]"

# Shards split the selected instances: disjoint, and together all of them.
"$sockspec" run --list "$data" >"$TEST_TMPDIR/all" 2>&1
: >"$TEST_TMPDIR/union"
for i in 0 1 2; do
  rm -f "$TEST_TMPDIR/status"
  TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=$i TEST_SHARD_STATUS_FILE=$TEST_TMPDIR/status \
    "$sockspec" run --list "$data" >"$TEST_TMPDIR/shard$i" 2>&1
  [[ -e $TEST_TMPDIR/status ]] || { echo "FAIL shard$i: TEST_SHARD_STATUS_FILE not touched"; fails=$((fails + 1)); }
  cat "$TEST_TMPDIR/shard$i" >>"$TEST_TMPDIR/union"
done
if ! diff <(sort "$TEST_TMPDIR/all") <(sort "$TEST_TMPDIR/union"); then
  echo "FAIL shards: their union is not the whole selection (or they overlap)"; fails=$((fails + 1))
fi
# A shard left empty by a filter that selects something elsewhere is fine.
TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=1 "$sockspec" run --filter="$name" "$wrong" >"$out" 2>&1
expect empty-shard 0 $?
contains empty-shard "0 passed, 0 failed"
"$sockspec" run --shard-count=2 --shard-index=2 "$wrong" >"$out" 2>&1
expect bad-shard 2 $?
contains bad-shard "shard index 2 is not below the shard count 2"

# bazel run: relative paths are the user's (BUILD_WORKING_DIRECTORY).
here=$(realpath "$data")
(cd / && BUILD_WORKING_DIRECTORY=$(dirname "$here") "$sockspec" run "$(basename "$here")/passes.case") >"$out" 2>&1
expect bazel-run 0 $?
contains bazel-run "1 passed, 0 failed"

if ((fails > 0)); then echo "$fails checks failed"; exit 1; fi
echo PASS
