#!/usr/bin/env bash
# sockspec record --under=gvisor end to end (root and runsc): the step where
# gVisor answers differently gets its `on gvisor = ...` line (shutdown() of
# an unconnected AF_UNIX socket: Linux 0, gVisor ENOTCONN), nothing is
# written without --write, and the comparison then reports it `recorded`.
# Skips with a message without root or runsc.
set -uo pipefail
if [[ $(id -u) != 0 ]]; then echo "SKIP: runsc do needs root"; exit 0; fi
if ! command -v runsc > /dev/null && [[ -z ${SOCKSPEC_RUNSC:-} ]]; then
  echo "SKIP: runsc is not installed (bash ci/setup.sh installs it)"; exit 0
fi
sockspec=$1
data=$(dirname "$2")
source "$(dirname "$3")/checks.sh"
out=$TEST_TMPDIR/out
dir=$(mktemp -d "$TEST_TMPDIR/record.XXXXXX")
case=$dir/gvisor.case
cp "$data/gvisor.case" "$case"

"$sockspec" record --under=gvisor "$case" >"$out" 2>&1
expect diff 0 $?
contains diff "+   on gvisor = ENOTCONN because \"observed with gvisor-"
cmp -s "$case" "$data/gvisor.case" || { echo "FAIL record without --write changed the file"; fails=$((fails + 1)); }

"$sockspec" record --under=gvisor --write "$case" >"$out" 2>&1
expect write 0 $?
contains write "1 platform line(s) filled, 0 need a person's eye; 1 file(s) rewritten"
# The hand-written expected file names the release runsc reports here.
sed "s/gvisor-[0-9]\{8\}/gvisor-20221219/" "$case" | cmp -s - "$data/gvisor.recorded.case" \
  || { echo "FAIL recorded file differs"; diff "$case" "$data/gvisor.recorded.case"; fails=$((fails + 1)); }

"$sockspec" run --under=gvisor --xfail=none "$case" >"$out" 2>&1
expect compare 0 $?
contains compare "0 same, 0 skipped, 2 recorded, 0 xfail, 0 differs"
contains compare "A: shutdown(s, SHUT_RDWR): linux-"
contains compare "ENOTCONN (recorded)"

# Recording again finds nothing more.
"$sockspec" record --under=gvisor "$case" >"$out" 2>&1
expect again 0 $?
contains again "0 platform line(s) filled, 0 need a person's eye"

rm -rf "$dir"
exit $((fails > 0))
