#!/usr/bin/env bash
# End to end under gVisor: `sockspec run --under=gvisor` starts one runsc
# sandbox, the run inside (--inner-run=gvisor) detects the platform as gvisor,
# and the comparison names both systems (linux-RELEASE, gvisor-DATE) and
# reports same / recorded / xfail / differs / xpass with the right exit code.
# Needs root and runsc; skips with a message without them.
# Usage: gvisor_e2e_test.sh SOCKSPEC PASSES_CASE SOCKETPAIR_CASE PEERCRED_CASE TWO_STEPS_CASE
#                           HANG_CASE
set -uo pipefail

sockspec=$1 passes=$2 rejects=$3 peercred=$4 two=$5 hang=$6
source "$(dirname "$hang")/processes.sh"
if [[ $(id -u) != 0 ]]; then echo "SKIP: runsc do needs root"; exit 0; fi
if ! command -v runsc > /dev/null && [[ -z ${SOCKSPEC_RUNSC:-} ]]; then
  echo "SKIP: runsc is not installed (bash ci/setup.sh installs it)"; exit 0
fi

# Scratch space: Bazel's $TEST_TMPDIR, or a private directory removed on exit.
if [[ -n ${TEST_TMPDIR:-} ]]; then
  work=$TEST_TMPDIR
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
# What a person looks at afterwards is kept: Bazel collects its outputs
# directory; a run outside Bazel gets one of its own and says where.
out_dir=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sockspec-outputs.XXXXXX")}
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
run() {  # run NAME WANT_CODE ARGS...: runs sockspec, keeps its output in $out
  local name=$1 want=$2
  shift 2
  out=$work/$name.out
  "$sockspec" "$@" > "$out" 2> "$work/$name.err"
  local code=$?
  [[ $code == "$want" ]] || fail "$name: exit code $code, want $want: $(tail -5 "$work/$name.err")"
}
expect() {  # expect NAME TEXT: $out contains TEXT
  grep -qF -- "$2" "$out" || { fail "$1: output lacks: $2"; sed 's/^/  | /' "$out" | head -40; }
}

# The case records gVisor's answers (on gvisor = ...): all three pass there.
printf '' > "$work/empty.xfail"
run recorded 0 run --under=gvisor --xfail="$work/empty.xfail" \
  --html="$out_dir/gvisor.html" --markdown="$out_dir/gvisor.md" \
  "$passes" "$rejects" "$peercred"
if grep -q '^SKIPPED   .*socketpair-rejects-bad-arguments' "$out"; then
  # No IPv6 on this host (ci/environments.sh): its AF_INET6 step's requires.
  expect recorded "1 same, 1 skipped, 2 recorded, 0 xfail, 0 differs"
  expect recorded "skipped on the host: "
else
  expect recorded "1 same, 0 skipped, 3 recorded, 0 xfail, 0 differs"
fi
expect recorded "runsc version"
host=linux-$(uname -r | grep -oE '^[0-9.]*[0-9]')
guest=gvisor-$(runsc --version 2>/dev/null | grep -oE '[0-9]{8}' | head -1)
expect recorded "$host vs $guest (runsc version"
expect recorded "line 6: socketpair(AF_INET, SOCK_STREAM): $host EOPNOTSUPP, $guest ESOCKTNOSUPPORT (recorded)"
grep -q 'class="cell recorded"' "$out_dir/gvisor.html" || fail "html: no recorded cell"

# Judged by Linux's answers inside gVisor (--platform cannot change that; the
# sandbox detects gvisor), so ask for a list entry that does not fit: XPASS.
printf 'testdata/passes.case because "stale entry"\n' > "$work/stale.xfail"
run xpass 1 run --under=gvisor --xfail="$work/stale.xfail" "$passes"
expect xpass "XPASS     harness/testdata/passes.case"
expect xpass "listed in $work/stale.xfail: \"stale entry\""

# Per-step verdicts: the guest goes on after the bind that differs (line 10),
# so the getsockname at line 11 is judged too and the close at 12 agrees.
# Listing only line 10 leaves line 11 a difference; listing both is xfail.
printf 'testdata/gvisor-differs-at-two-steps.case:10 because "no autobind"\n' > "$work/one.xfail"
run onestep 1 run --under=gvisor --xfail="$work/one.xfail" "$two"
expect onestep "DIFFERS   harness/testdata/gvisor-differs-at-two-steps.case"
expect onestep "    step 10: A: bind(s, unnamed): -1 EINVAL (expected 0): xfail"
expect onestep "    step 11: A: getsockname(s): unnamed (expected autobind): differs, not listed"
expect onestep "steps in $guest: 2 same, 0 recorded, 1 xfail, 1 differs, 0 not run"
printf 'testdata/gvisor-differs-at-two-steps.case:10 because "no autobind"\ntestdata/gvisor-differs-at-two-steps.case:11 because "unnamed"\n' > "$work/two.xfail"
run twosteps 0 run --under=gvisor --xfail="$work/two.xfail" --format=json "$two"
expect twosteps '"agreement": "xfail"'
expect twosteps '"xfail": 2'

# JSON of the comparison.
run json 0 run --under=gvisor --xfail=none --format=json "$passes"
expect json "\"guest\": \"$guest\""
expect json '"agreement": "same"'

# The inner run refuses to be judged by gVisor's answers outside gVisor.
run inner 2 run --inner-run=gvisor "$passes"
out=$work/inner.err
expect inner "sockspec: inside gvisor the platform was detected as 'linux', not 'gvisor'"

# A missing runsc is named before anything runs.
SOCKSPEC_RUNSC=/no/such/runsc run norunsc 2 run --under=gvisor "$passes"
out=$work/norunsc.err
expect norunsc "sockspec: --under=gvisor: SOCKSPEC_RUNSC=/no/such/runsc is not an executable file"

# A bad list is a diagnostic at file:line:col, before anything runs.
printf 'passes.case\n' > "$work/bad.xfail"
run badlist 2 run --under=gvisor --xfail="$work/bad.xfail" "$passes"
out=$work/badlist.err
expect badlist "$work/bad.xfail:1:12: error: expected 'because \"reason\"'"

# The guest writes only to pipes: one log taking stdout and stderr keeps
# every line of both (runsc writes an inherited regular file from offset 0,
# which used to overwrite the host's progress lines).
"$sockspec" run --under=gvisor --xfail=none "$passes" "$rejects" > "$work/log" 2>&1
"$sockspec" run --under=gvisor --xfail=none "$passes" "$rejects" \
  > "$work/log.out" 2> "$work/log.err"
if ! diff <(grep -v '^time: ' "$work/log" | sort) \
          <(cat "$work/log.out" "$work/log.err" | grep -v '^time: ' | sort) > "$work/log.diff"; then
  fail "log: a redirected run lost or spliced lines:"; sed 's/^/  | /' "$work/log.diff" | head -20
fi
grep -q " vs $guest" "$work/log" || fail "log: no comparison summary"

# An interrupted run leaves nothing behind, runsc's own state included:
# SIGTERM once the sandbox runs (its state file exists), while the host's
# hang was certain at once and gVisor's waits for a deadline nobody reaches.
# runsc keeps that state under its $TMPDIR, which its sandbox opens as an
# unprivileged user: so a root of /tmp, not Bazel's, which is under /root.
root=$(mktemp -d /tmp/sockspec-gvisor-e2e.XXXXXX)
chmod 755 "$root"
TMPDIR=$root "$sockspec" run --under=gvisor --step-timeout=600000 "$hang" \
  > "$work/interrupt.out" 2>&1 &
pid=$!
state() { find "$root" -name '*.state' | grep -q .; }
for ((i = 0; i < 1200; i++)); do state && break; sleep 0.05; done  # bounded: 60 s
state || fail "interrupt: no sandbox state appeared under $root"
kill -TERM "$pid"
wait "$pid"
code=$?
[[ $code == 143 ]] || fail "interrupt: exit code $code, want 143 (SIGTERM): $(tail -3 "$work/interrupt.out")"
left=$(find "$root" -mindepth 1)
[[ -z $left ]] || fail "interrupt: left behind: $left"
# runsc's sandbox and gofer name the state directory, under $root.
gone "$root" || fail "interrupt: processes of the sandbox are left"
rm -rf "$root"

if ((failures > 0)); then echo "$failures checks failed"; exit 1; fi
echo "PASS; reports in $out_dir"
