#!/usr/bin/env bash
# A fuzzer's oracle test: with SOCKSPEC_CORRUPT=MODE the fuzzer falsifies one
# result per input and must abort with a trace naming the divergence, the
# divergent step marked `>`. One script for every fuzzer with such modes; the
# sh_tests in fuzz/BUILD.bazel say which fuzzer, which modes and what its
# trace holds, so a new mode is one word in its test's --replay list.
#   corrupt_test.sh REPLAYER FUZZER CORPUS OPTION...
# REPLAYER replays CORPUS (any build). FUZZER under --config=fuzz is
# libFuzzer, which must find each --fuzz mode within --runs runs and a fixed
# seed; in other builds that part is skipped and says so.
#   --replay=MODE,...     modes the replayer must catch on CORPUS
#   --fuzz=MODE,...       modes libFuzzer must find
#   --runs=N              libFuzzer's bound on runs per mode
#   --fuzz-from=empty|corpus  libFuzzer starts from nothing or from CORPUS
#   --trace=REGEX         a line every caught output holds (repeatable)
#   --reason=MODE:REGEX   a line MODE's replay output holds (repeatable)
#   --each=MODE:GLOB      MODE is caught on each seed CORPUS/GLOB alone
#   --together=MODE:GLOB  MODE is caught on the seeds CORPUS/GLOB together
#   --at=MODE:SEED:REGEX  MODE's replay of the one seed CORPUS/SEED is caught
#                         with the marked step matching REGEX (repeatable):
#                         a mode checked on each kind of call it can hit
# A mode the fuzzer does not know must exit 2.
set -uo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
(($# >= 3)) || fail "usage: corrupt_test.sh REPLAYER FUZZER CORPUS OPTION..."
replayer=$1 fuzzer=$2 corpus=$3
shift 3
replay_modes=() fuzz_modes=() traces=() reasons=() ats=() each=() together=() runs="" fuzz_from=""
for arg in "$@"; do
  case $arg in
    --replay=*) IFS=, read -ra replay_modes <<< "${arg#*=}" ;;
    --fuzz=*) IFS=, read -ra fuzz_modes <<< "${arg#*=}" ;;
    --runs=*) runs=${arg#*=} ;;
    --fuzz-from=empty|--fuzz-from=corpus) fuzz_from=${arg#*=} ;;
    --trace=*) traces+=("${arg#*=}") ;;
    --reason=*:*) reasons+=("${arg#*=}") ;;
    --at=*:*:*) ats+=("${arg#*=}") ;;
    --each=*:*) each+=("${arg#*=}") ;;
    --together=*:*) together+=("${arg#*=}") ;;
    *) fail "corrupt_test.sh: unknown option '$arg'" ;;
  esac
done
((${#replay_modes[@]} > 0)) || fail "corrupt_test.sh: --replay names no mode"
if ((${#fuzz_modes[@]} > 0)); then
  [[ $runs =~ ^[0-9]+$ && -n $fuzz_from ]] ||
    fail "corrupt_test.sh: --fuzz needs --runs=N and --fuzz-from=empty|corpus"
fi
own_tmp=
if [[ -n ${TEST_TMPDIR:-} ]]; then
  tmp=$TEST_TMPDIR
else
  tmp=$(mktemp -d)
  own_tmp=$tmp
fi
# The fuzzers make their socket files under $TMPDIR (a short path: sun_path
# is 108 bytes). A replay that aborts on a caught fault must leave nothing
# there either.
sockdir=$(mktemp -d /tmp/sockspec-corrupt.XXXXXX)
export TMPDIR=$sockdir
end() {
  local status=$? left
  left=$(ls -A "$sockdir")
  rm -rf "$sockdir" ${own_tmp:+"$own_tmp"}
  if [[ -n $left ]]; then
    echo "FAIL: left behind in TMPDIR: $left" >&2
    exit 1
  fi
  exit "$status"
}
trap end EXIT

expect_caught() {  # MODE OUTPUT STATUS
  # abort(): SIGABRT (134) from the replayer; libFuzzer reports the deadly
  # signal and exits 77 (its -error_exitcode).
  [[ $3 == 134 || $3 == 77 ]] ||
    fail "$1: expected an abort, got exit $3; output: $2"
  local t
  for t in "${traces[@]}"; do
    grep -qE -- "$t" <<< "$2" || fail "$1: no line matching '$t' in output: $2"
  done
  grep -q '^>' <<< "$2" || fail "$1: the divergent step is not marked: $2"
}

out=$("$replayer" "$corpus" 2>&1) || fail "clean replay failed: $out"

for mode in "${replay_modes[@]}"; do
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$corpus" 2>&1)
  expect_caught "$mode (replay)" "$out" $?
  for r in "${reasons[@]}"; do
    [[ ${r%%:*} == "$mode" ]] || continue
    grep -qE -- "${r#*:}" <<< "$out" ||
      fail "$mode: no reason matching '${r#*:}' given: $out"
  done
  echo "$mode: caught on replay"
done

for a in "${ats[@]}"; do
  IFS=: read -r mode seed step <<< "$a"
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$corpus/$seed" 2>&1)
  expect_caught "$mode ($seed)" "$out" $?
  grep -Eq -- "^> +[0-9]+\\. $step" <<< "$out" ||
    fail "$mode ($seed): the marked step does not match '$step': $out"
  echo "$mode: caught at the step matching '$step' ($seed)"
done

for e in "${each[@]}"; do
  IFS=: read -r mode glob <<< "$e"
  seeds=("$corpus"/$glob)
  [[ -e ${seeds[0]} ]] || fail "--each=$e: no seed matches"
  for seed in "${seeds[@]}"; do
    out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "$seed" 2>&1)
    expect_caught "$mode (replay of ${seed##*/})" "$out" $?
  done
  echo "$mode: caught on each of the ${#seeds[@]} seeds $glob"
done
for t in "${together[@]}"; do
  IFS=: read -r mode glob <<< "$t"
  seeds=("$corpus"/$glob)
  [[ -e ${seeds[0]} ]] || fail "--together=$t: no seed matches"
  out=$(SOCKSPEC_CORRUPT=$mode "$replayer" "${seeds[@]}" 2>&1)
  expect_caught "$mode (replay of the seeds $glob)" "$out" $?
  echo "$mode: caught on the seeds $glob together"
done

out=$(SOCKSPEC_CORRUPT=no-such-fault "$replayer" "$corpus" 2>&1)
[[ $? == 2 ]] || fail "an unknown SOCKSPEC_CORRUPT must exit 2: $out"

((${#fuzz_modes[@]} > 0)) || exit 0
mkdir -p "$tmp/empty"
probe=$("$fuzzer" -runs=0 "$tmp/empty" 2>&1)
if grep -q '^replayed 0 inputs' <<< "$probe"; then
  echo "libFuzzer not linked (build with --config=fuzz): fuzzing part skipped"
  exit 0
fi
seeds=()
[[ $fuzz_from == corpus ]] && seeds=("$corpus")
for mode in "${fuzz_modes[@]}"; do
  mkdir -p "$tmp/$mode"
  out=$(SOCKSPEC_CORRUPT=$mode "$fuzzer" -seed=1 -runs="$runs" \
        -artifact_prefix="$tmp/$mode/" "$tmp/$mode" "${seeds[@]}" 2>&1)
  expect_caught "$mode (libFuzzer)" "$out" $?
  echo "$mode: libFuzzer found it after $(grep -oE '^#[0-9]+' <<< "$out" | tail -1) runs"
done
