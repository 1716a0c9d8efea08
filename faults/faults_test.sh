#!/usr/bin/env bash
# Faults caught: runs the whole case suite once per broken behaviour of
# fault_preload.so and checks that each turns it red (exit 1, at least one
# FAIL, among them a case about that behaviour) and that the library loaded
# with no fault leaves it green. Prints the table for the README.
#   faults_test.sh SOCKSPEC LIBFAULT_PRELOAD_SO CASES_DIR [sockspec run options]
set -uo pipefail
sockspec=$1
preload=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cases=$3
shift 3
# Scratch space: Bazel's $TEST_TMPDIR, or a private directory removed on exit.
if [[ -n ${TEST_TMPDIR:-} ]]; then
  work=$TEST_TMPDIR
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
out=$work/faults.out
fails=0

# fault|a case that must be among the failures (an extended regex)
faults=(
  "merge-datagrams|boundaries/datagrams-keep-boundaries"
  "drop-eof|close/read-after-peer-close-is-eof"
  "no-sigpipe|close/write-after-peer-close-is-epipe"
  "truncate-without-flag|boundaries/short-read-truncates-datagram"
  "reorder-bytes|boundaries/stream-merges-writes"
  "wrong-errno|close/close-with-unread-data-resets-peer"
  "peek-consumes|partial/peek-does-not-consume"
  "poll-no-hup|shutdown/poll-reports-hangup"
)

run() {  # run FAULT: the suite with the library loaded; sets code, nfail
  LD_PRELOAD=$preload SOCKSPEC_FAULT=$1 "$sockspec" run --jobs=2 "${extra[@]}" \
    "$cases" >"$out" 2>&1
  code=$?
  nfail=$(grep -c '^FAIL  ' "$out")
}
extra=("$@")

printf '%-24s %-5s %-9s %s\n' fault exit failing "example failing instance"
run ""
printf '%-24s %-5s %-9s %s\n' "(none)" "$code" "$nfail" "-"
if [[ $code != 0 ]]; then
  echo "FAIL the suite is not green with the library loaded and no fault"
  cat "$out"; fails=$((fails + 1))
fi
for entry in "${faults[@]}"; do
  fault=${entry%%|*}
  want=${entry#*|}
  run "$fault"
  example=$(grep -E -m1 "^FAIL  .*($want)" "$out" | sed 's/^FAIL  //')
  printf '%-24s %-5s %-9s %s\n' "$fault" "$code" "$nfail" "${example:-none of $want}"
  if [[ $code != 1 || $nfail == 0 || -z $example ]]; then
    echo "FAIL $fault not caught as it should be (want exit 1 and a FAIL of $want)"
    cat "$out"; fails=$((fails + 1))
  fi
done

if ((fails > 0)); then echo "$fails faults not caught"; exit 1; fi
echo "every fault was caught; the unbroken run is green"
