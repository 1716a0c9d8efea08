#!/usr/bin/env bash
# Bazel's sharding, seen from outside: runs //harness:sharded_suite_test over
# the whole library (shard_count = 4; cached when nothing changed), then
# reads the test.xml that each shard wrote and checks that the four lists of
# instances are disjoint and together every instance `sockspec run --list
# cases` names. Prints each shard's count. Extra arguments go to `bazel
# test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel test //harness:sharded_suite_test --test_env=SHARDED_SUITE_FOLDERS=cases "$@"
logs=$(bazel info "$@" bazel-testlogs)/harness/sharded_suite_test
bin=$(bazel info "$@" bazel-bin)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX "$bin/harness/sockspec" run --list cases |
  sort >"$tmp/all"
: >"$tmp/parts"
for xml in "$logs"/shard_*_of_*/test.xml; do
  # <testcase name="INSTANCE" classname="FILE" ...> is "FILE [INSTANCE]",
  # name="case" is the single instance of a file without a matrix, "FILE".
  sed -n 's/.*<testcase name="\([^"]*\)" classname="\([^"]*\)".*/\2 [\1]/p' "$xml" |
    sed 's/ \[case\]$//' |
    sed 's/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g' >"$tmp/part"
  echo "$(basename "$(dirname "$xml")"): $(wc -l <"$tmp/part") instances"
  cat "$tmp/part" >>"$tmp/parts"
done
status=0
if [[ -n $(sort "$tmp/parts" | uniq -d) ]]; then
  echo "FAIL: an instance ran in two shards:"; sort "$tmp/parts" | uniq -d | head
  status=1
fi
if ! sort "$tmp/parts" | cmp -s - "$tmp/all"; then
  echo "FAIL: the shards together are not every instance:"
  sort "$tmp/parts" | diff - "$tmp/all" | head
  status=1
fi
[[ $status == 0 ]] && echo "shards: disjoint, together all $(wc -l <"$tmp/all") instances"
exit "$status"
