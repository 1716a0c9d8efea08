#!/usr/bin/env bash
# No hangs, no crashes: a peer that blocks where its file expects an answer,
# with nothing left that could wake it, is reported at once at the line it
# hung on (the deadline is a backstop); a sleep that time would end (a poll
# timeout) is killed at its deadline, and so is a setup step's call that
# sleeps in the harness itself (interrupted); a run interrupted by a signal
# leaves nothing behind; a peer that
# dies of SIGSEGV is reported as such; in both cases the rest of the run goes
# on (passes.case, run after them, still passes). The deadlines here are
# limits on a hang, never waits the verdict depends on.
set -uo pipefail
sockspec=$1
data=$(dirname "$2")
out=$TEST_TMPDIR/out
source "$data/checks.sh"
source "$data/processes.sh"

hang=$data/hangs-where-not-expected.case
crash=$data/peer-crashes.case
header=$data/case-deadline.case
pass=$data/passes.case

# (a) A certain hang: line 11's read returned, the one on line 12 sleeps for
# ever and A waits for a command. Seen at once; the deadline (ten minutes
# here) is never reached.
"$sockspec" run --step-timeout=600000 "$hang" "$pass" >"$out" 2>&1
expect hang 1 $?
contains hang "FAIL  $hang"
contains hang "$hang:12:1: B: read(b, 10): peer B hung in read(b, 10): B is asleep in read on fd "
contains hang "; A waits for a command; no timeout, timer or signal can end it; killed after "
contains hang " ms, not at the 600000 ms deadline"
contains hang "$hang:11:1: B: read(b, 10) -> 1 \"x\""
contains hang "1 passed, 1 failed"

# (a') The deadline from the case file's own `timeout 300` header.
"$sockspec" run "$header" "$pass" >"$out" 2>&1
expect header 1 $?
contains header "$header:13:1: B: poll(b, POLLIN, 60000): peer B hung in poll(b, POLLIN, 60000); killed after 300 ms"
contains header "1 passed, 1 failed"

# (a'') Certain hangs in the other calls that sleep: an AF_UNIX connect with
# the backlog full, and recvmmsg without a timeout. Seen at once, as in (a).
for name in connect recvmmsg; do
  file=$data/$name-hangs-where-not-expected.case
  "$sockspec" run --step-timeout=600000 "$file" >"$out" 2>&1
  expect "$name" 1 $?
  contains "$name" " is asleep in $name on fd "
  contains "$name" "no timeout, timer or signal can end it; killed after "
  contains "$name" " ms, not at the 600000 ms deadline"
  case $name in
    connect) contains connect "$file:16:1: C: connect(c2, path(\"srv\")): peer C hung in connect" ;;
    recvmmsg) contains recvmmsg "$file:11:1: B: recvmmsg(b, 2, 10, 0, -1): peer B hung in recvmmsg" ;;
  esac
done

# (a''') A setup step's call runs in the harness itself, before any peer:
# nothing watches it, so it is interrupted at the step deadline (the
# `timeout 300` header) instead of wedging the run, and the run goes on.
setup=$data/setup-hangs.case
"$sockspec" run "$setup" "$pass" >"$out" 2>&1
expect setup 1 $?
contains setup "$setup:13:1: accept(l): the harness hung in accept(l): a setup step's call sleeps in the harness itself; interrupted after 300 ms"
contains setup "1 passed, 1 failed"

# (b) A peer killed by SIGSEGV is a failure at its step, not a harness crash.
"$sockspec" run "$crash" "$pass" >"$out" 2>&1
expect crash 1 $?
contains crash "$crash:10:1: B: raise(SIGSEGV): peer B died: killed by SIGSEGV during raise(SIGSEGV)"
contains crash "1 passed, 1 failed"

# (c) An interrupted run (SIGTERM, as Bazel's test timeout sends; SIGINT from
# a terminal takes the same path) leaves nothing behind: it dies of the
# signal, its private directories and socket files are gone, and so are its
# peers. Once with the instance in a worker, once in the process itself.
interrupted=$TEST_TMPDIR/interrupt
mkdir -p "$interrupted/root"
cp "$data/sleeps-on-a-path.case" "$data/setup-hangs.case" "$pass" "$interrupted/"
for jobs in 1 2; do
  for case in sleeps-on-a-path setup-hangs; do
    TEST_TMPDIR=$interrupted/root "$sockspec" run --jobs=$jobs --step-timeout=600000 \
      "$interrupted/$case.case" "$interrupted/passes.case" >"$out" 2>&1 &
    pid=$!
    # Until the instance's socket file exists (bounded: 20 s).
    for ((i = 0; i < 400; i++)); do
      compgen -G "$interrupted/root/sockspec.*/srv" >/dev/null && break
      sleep 0.05
    done
    compgen -G "$interrupted/root/sockspec.*/srv" >/dev/null ||
      { echo "FAIL interrupt $case jobs=$jobs: no socket file appeared"; fails=$((fails + 1)); }
    kill -TERM "$pid"
    wait "$pid"
    expect "interrupt $case jobs=$jobs" 143 $?
    left=$(ls -A "$interrupted/root")
    [[ -z $left ]] || { echo "FAIL interrupt $case jobs=$jobs: left behind: $left"; fails=$((fails + 1)); }
    # The peers die with their parent (PR_SET_PDEATHSIG).
    if ! gone "$interrupted/$case.case"; then
      echo "FAIL interrupt $case jobs=$jobs: processes of the run are left"; fails=$((fails + 1))
    fi
  done
done

# All of them in one run with two workers, twice over: every instance is
# reported, in file order, and the passing one passes both times.
"$sockspec" run --jobs=2 --repeat=2 "$header" "$hang" "$pass" "$crash" >"$out" 2>&1
expect together 1 $?
contains together "2 passed, 6 failed"
contains together "killed by SIGSEGV during raise(SIGSEGV)"
contains together "$hang:12:1: B: read(b, 10): peer B hung in read(b, 10): B is asleep in read"

# The JUnit report carries the same failure messages.
"$sockspec" run --format=junit "$hang" "$crash" "$pass" >"$out" 2>&1
expect junit 1 $?
contains junit '<testsuites tests="3" failures="2" errors="0">'
contains junit "peer B hung in read(b, 10)"
contains junit "peer B died: killed by SIGSEGV"

if ((fails > 0)); then echo "$fails checks failed"; exit 1; fi
echo "all no-hang / no-crash checks passed"
