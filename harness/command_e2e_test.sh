#!/usr/bin/env bash
# End to end through a wrapper: `sockspec run --under=command:'CMD'` runs the
# static sockspec through CMD and reads one JSON line per instance back from
# its stdout; a wrapper that fails or stops early is an error naming it,
# with the finished results kept.
# Usage: command_e2e_test.sh SOCKSPEC_STATIC PASSES_CASE NINE_INSTANCE_CASE
set -uo pipefail

sockspec=$1 passes=$2 nine=$3
work=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n ${TEST_TMPDIR:-} ]] || trap 'rm -rf "$work"' EXIT
source "$(dirname "$passes")/checks.sh"
host=linux-$(uname -r | grep -oE '^[0-9.]*[0-9]')

# A wrapper that changes nothing: every instance the same, named after it.
run env 0 run --under='command:env SOCKSPEC_WRAPPED=1' "$passes" "$nine"
file_contains env "$out" "$host vs $host (env SOCKSPEC_WRAPPED=1) (Linux $(uname -r) through \`env SOCKSPEC_WRAPPED=1\`): 10 same, 0 skipped, 0 recorded"

# Repeats: each repeat of each instance is one result line, none missing.
run repeat 0 run --repeat=3 --under='command:env SOCKSPEC_WRAPPED=1' "$passes"
file_contains repeat "$out" "(Linux $(uname -r) through \`env SOCKSPEC_WRAPPED=1\`): 3 same, 0 skipped, 0 recorded"
file_lacks repeat "$err" "results kept"

# A wrapper that runs nothing: an error, nothing to compare.
run false 2 run --under='command:false' "$passes"
file_contains false "$err" "command (false): the command ended after 0 of 1 instances (0 of 1 results kept)"

# A wrapper that stops the run after 4 lines (head -n 5 with the start line):
# the 4 results are kept, the rest carry the error.
run head 2 run --under='command:sh -c '\''"$0" "$@" | head -n 5'\''' "$passes" "$nine"
file_contains head "$err" "the command ended after 4 of 10 instances (4 of 10 results kept)"
file_contains head "$out" "4 same, 0 skipped, 0 recorded, 0 xfail, 0 differs"

# No wrapper at all.
run empty 2 run --under='command:' "$passes"
file_contains empty "$err" "command needs a wrapper: --under=command:'unshare -n'"

if ((fails > 0)); then echo "$fails failed"; exit 1; fi
echo "all passed"
