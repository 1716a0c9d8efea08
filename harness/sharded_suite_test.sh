#!/usr/bin/env bash
# Four folders of the case library (245 instances; the whole library with
# --test_env=SHARDED_SUITE_FOLDERS=cases, as ci/shards.sh runs it in CI) as
# one Bazel test with shard_count = 4: Bazel runs four shards, each with
# TEST_TOTAL_SHARDS=4 and its TEST_SHARD_INDEX, and sockspec takes the
# selected instances whose position is the index modulo the count. Each shard
# checks that it runs exactly its part; shard 0 also checks that the four
# parts, as sockspec selects them, are disjoint and together every instance.
# Its own instances go to its test.xml (XML_OUTPUT_FILE), so
# .bazel/testlogs/harness/sharded_suite_test/shard_K_of_4/test.xml lists them.
# Usage: sharded_suite_test.sh SOCKSPEC CHECKS_SH
set -uo pipefail
sockspec=$(realpath "$1")
source "$2"
work=$TEST_TMPDIR
# Folders of many instances, of several steps and peers each.
read -r -a folders <<<"${SHARDED_SUITE_FOLDERS:-cases/blocking cases/boundaries cases/close cases/epoll}"
out=$work/out

if [[ -z ${TEST_TOTAL_SHARDS:-} || -z ${TEST_SHARD_INDEX:-} ]]; then
  echo "FAIL: TEST_TOTAL_SHARDS/TEST_SHARD_INDEX unset: Bazel did not shard this test"
  exit 1
fi
count=$TEST_TOTAL_SHARDS index=$TEST_SHARD_INDEX
echo "shard $index of $count"

# This shard's part as sockspec selects it. Shard 0 also lists every
# instance and every other part, and checks that the parts are disjoint and
# together every instance (one shard's check covers all four parts).
unsharded=(env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX -u TEST_SHARD_STATUS_FILE
           -u XML_OUTPUT_FILE)
list_part() {  # list_part I: writes part I's instances to $work/partI
  "${unsharded[@]}" TEST_TOTAL_SHARDS="$count" TEST_SHARD_INDEX="$1" \
    "$sockspec" run --list "${folders[@]}" | sort >"$work/part$1"
  [[ -s $work/part$1 ]] || { echo "FAIL part$1: empty"; fails=$((fails + 1)); }
}
list_part "$index"
if ((index == 0)); then
  "${unsharded[@]}" "$sockspec" run --list "${folders[@]}" | sort >"$work/all"
  : >"$work/parts"
  for ((i = 0; i < count; i++)); do
    ((i == index)) || list_part "$i"
    cat "$work/part$i" >>"$work/parts"
  done
  total=$(wc -l <"$work/all")
  if [[ -n $(sort "$work/parts" | uniq -d) ]]; then
    echo "FAIL: shards overlap:"; sort "$work/parts" | uniq -d | head; fails=$((fails + 1))
  fi
  if ! sort "$work/parts" | cmp -s - "$work/all"; then
    echo "FAIL: the shards together are not every instance"; fails=$((fails + 1))
  fi
  echo "$count parts, disjoint, together all $total instances"
fi

# This shard, with Bazel's own variables: its part, run, all passing or skipped.
rm -f "${TEST_SHARD_STATUS_FILE:-/nonexistent}"
"$sockspec" run --verbose "${folders[@]}" >"$out" 2>&1
expect run 0 $?
sed -n 's/^\(PASS\|SKIP\)  //p' "$out" | sort >"$work/ran"
if ! cmp -s "$work/ran" "$work/part$index"; then
  echo "FAIL: shard $index ran other instances than its part:"
  diff "$work/ran" "$work/part$index" | head; fails=$((fails + 1))
fi
if [[ -n ${TEST_SHARD_STATUS_FILE:-} && ! -e $TEST_SHARD_STATUS_FILE ]]; then
  echo "FAIL: TEST_SHARD_STATUS_FILE not touched"; fails=$((fails + 1))
fi
echo "shard $index ran $(wc -l <"$work/ran") instances, its part"
[[ $fails == 0 ]]
