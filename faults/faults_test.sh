#!/usr/bin/env bash
# Faults caught: runs the whole case suite once per broken behaviour of
# fault_preload.so and checks that each turns it red (exit 1, at least one
# FAIL, among them a case about that behaviour) and that the library loaded
# with no fault leaves it green. The faults that hang (read-full,
# ignore-dontwait) must also be named as hangs at their step ("peer B hung in
# recv(b, 10, MSG_DONTWAIT): B is asleep in ...") and never reach a step
# deadline: the run sets a ten-minute one, so a hang not seen at once shows
# up as this test's own timeout, never as a race with the clock. Prints the
# table for the README, with each run's seconds.
#   faults_test.sh SOCKSPEC LIBFAULT_PRELOAD_SO CASES [sockspec run options]
# CASES is a folder of case files, or several joined by commas
# (cases/boundaries,cases/close): Bazel's test runs the topics the faults
# break, ci/faults.sh the whole library. With several folders, a fault that
# does not hang runs only over the folder of the case it must fail (a FAIL
# there is a FAIL of the whole set; this cuts the test's instances from
# 11 x 232 to 1,102); the unbroken run and the faults that hang run over
# every folder, so their seconds compare like with like.
set -uo pipefail
sockspec=$1
preload=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
IFS=, read -r -a cases <<< "$3"
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
  "read-full|partial/stream-read-returns-what-is-available"
  "ignore-dontwait|blocking/nonblocking-read-on-empty-socket-is-eagain"
)
# fault|a hung step that must be named (a fixed string)
hangs=(
  "read-full|partial/stream-read-returns-what-is-available.case:17:1: B: read(b, 4096): peer B hung in read(b, 4096): B is asleep in read on fd"
  "ignore-dontwait|blocking/nonblocking-read-on-empty-socket-is-eagain.case:12:1: B: recv(b, 10, MSG_DONTWAIT): peer B hung in recv(b, 10, MSG_DONTWAIT): B is asleep in recvfrom on fd"
)

run() {  # run FAULT [CASES...]: the suite (default: every folder of CASES)
  # with the library loaded; sets code, nfail, secs
  local fault=$1 start=$EPOCHREALTIME
  shift
  (($# > 0)) || set -- "${cases[@]}"
  LD_PRELOAD=$preload SOCKSPEC_FAULT=$fault "$sockspec" run --jobs=2 \
    --step-timeout=600000 "${extra[@]}" "$@" >"$out" 2>&1
  code=$?
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  nfail=$(grep -c '^FAIL  ' "$out")
}
extra=("$@")

printf '%-24s %-5s %-9s %-8s %s\n' fault exit failing seconds "example failing instance"
run ""
printf '%-24s %-5s %-9s %-8s %s\n' "(none)" "$code" "$nfail" "$secs" "-"
pass_secs=$secs
ratios=""
if [[ $code != 0 ]]; then
  echo "FAIL the suite is not green with the library loaded and no fault"
  cat "$out"; fails=$((fails + 1))
fi
for entry in "${faults[@]}"; do
  fault=${entry%%|*}
  want=${entry#*|}
  # The folder of the wanted case, when CASES names folders one by one and
  # the fault does not hang.
  only=()
  if ((${#cases[@]} > 1)) && ! printf '%s\n' "${hangs[@]}" | grep -q "^$fault|"; then
    for c in "${cases[@]}"; do
      [[ ${c%/} == */"${want%%/*}" ]] && only+=("$c")
    done
  fi
  run "$fault" "${only[@]}"
  example=$(grep -E -m1 "^FAIL  .*($want)" "$out" | sed 's/^FAIL  //')
  printf '%-24s %-5s %-9s %-8s %s\n' "$fault" "$code" "$nfail" "$secs" "${example:-none of $want}"
  if [[ $code != 1 || $nfail == 0 || -z $example ]]; then
    echo "FAIL $fault not caught as it should be (want exit 1 and a FAIL of $want)"
    cat "$out"; fails=$((fails + 1))
  fi
  for hang in "${hangs[@]}"; do
    [[ ${hang%%|*} == "$fault" ]] || continue
    step=${hang#*|}
    if ! grep -qF -- "$step" "$out"; then
      echo "FAIL $fault: the hung step is not named: $step"; cat "$out"; fails=$((fails + 1))
    fi
    ratios+=$(awk -v f="$fault" -v h="$secs" -v p="$pass_secs" \
      'BEGIN { printf "  %-18s %6.2f s  vs passing run %6.2f s: %.2fx\n", f, h, p, h / p }')$'\n'
    if grep -qF "killed after 600000 ms" "$out"; then
      echo "FAIL $fault: a hang waited for the step deadline"; fails=$((fails + 1))
    fi
  done
done

echo "faults that hang, whole suite, same run:"
printf '%s' "$ratios"
if ((fails > 0)); then echo "$fails faults not caught"; exit 1; fi
echo "every fault was caught; the unbroken run is green"
