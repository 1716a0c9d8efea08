#!/usr/bin/env bash
# Fuzzes locally with libFuzzer (ASan + UBSan).
#   bash ci/fuzz.sh ops_fuzzer          # 10 minutes of ops_fuzzer
#   bash ci/fuzz.sh ops_fuzzer 60       # 60 seconds
#   bash ci/fuzz.sh --smoke             # 20 seconds of every fuzzer (CI)
#   bash ci/fuzz.sh ops_fuzzer --under=gvisor 600
#   bash ci/fuzz.sh ops_fuzzer --under=qemu:6.1 600
#       differential mode: each input also runs in the guest (gvisor,
#       command:CMD, or qemu:KERNEL: a kernel image, or a version that
#       ci/kernel.sh fetches and resolves, 6.1 -> Debian's newest 6.1),
#       results compared operation by operation; differing inputs are kept
#       (.../NAME/differences/) and fuzz/ops_triage then prints the table
#       (signature, count, smallest reproducer, case file, the case of
#       cases/ that already states it or "new") and writes the
#       cases to .../NAME/triage/cases/. Under qemu the kernel boots once per
#       run (and once for the triage) with //fuzz:ops_server as its /init:
#       this script builds it with --config=static (no sanitizers: it links
#       fully static) and passes it in $SOCKSPEC_OPS_SERVER.
# The working corpus grows outside the source tree, in
# ${SOCKSPEC_FUZZ_DIR:-$HOME/.cache/sockspec/fuzz}/NAME/corpus, seeded from
# fuzz/corpus/NAME; crash inputs land in .../NAME/artifacts/. A finding turns
# into a case file with `bazel run //fuzz:crash_to_case` (README, "Fuzzing").
# SOCKSPEC_CORRUPT=drop-byte (or swap-bytes, wrong-errno) makes ops_fuzzer
# corrupt one result per input: it must then fail within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh

work=${SOCKSPEC_FUZZ_DIR:-$HOME/.cache/sockspec/fuzz}
if [[ ${1:-} == --smoke ]]; then
  seconds=${2:-20}
  mapfile -t names < <(cd fuzz && ls -1 *_fuzzer.cc 2>/dev/null | sed 's/\.cc$//')
else
  [[ $# -ge 1 ]] || { echo "usage: ci/fuzz.sh NAME [--under=GUEST] [SECONDS] | --smoke [SECONDS]" >&2; exit 2; }
  names=("$1")
  shift
  under=
  if [[ ${1:-} == --under=* ]]; then
    under=${1#--under=}
    shift
    # qemu:6.1 -> qemu:PATH of Debian's newest 6.1 image (fetched once).
    if [[ $under == qemu:* && ! -e ${under#qemu:} ]]; then
      under=qemu:$(bash ci/kernel.sh "${under#qemu:}")
    fi
    [[ ${names[0]} == ops_fuzzer ]] ||
      { echo "ci/fuzz.sh: --under: only ops_fuzzer has a differential mode" >&2; exit 2; }
  fi
  seconds=${1:-600}
fi
if ((${#names[@]} == 0)); then
  echo "ci/fuzz.sh: no fuzzers in fuzz/ yet"
  exit 0
fi

# SOCKSPEC_BAZEL_STARTUP, e.g. --output_base=DIR, keeps this build off a
# Bazel server others are using; no convenience symlinks are touched.
read -r -a startup <<< "${SOCKSPEC_BAZEL_STARTUP:-}"
targets=("${names[@]/#/\/\/fuzz:}")
[[ -n ${under:-} ]] && targets+=(//fuzz:ops_triage)
if [[ ${under:-} == qemu:* ]]; then
  bazel "${startup[@]}" build --config=static --symlink_prefix=/ //fuzz:ops_server
  export SOCKSPEC_OPS_SERVER
  SOCKSPEC_OPS_SERVER=$(bazel "${startup[@]}" info --config=static bazel-bin 2>/dev/null)/fuzz/ops_server
fi
bazel "${startup[@]}" build --config=fuzz --symlink_prefix=/ "${targets[@]}"
bin=$(bazel "${startup[@]}" info --config=fuzz bazel-bin 2>/dev/null)
status=0
for name in "${names[@]}"; do
  [[ -f fuzz/$name.cc ]] || { echo "ci/fuzz.sh: no fuzzer fuzz/$name.cc" >&2; exit 2; }
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  args=(-max_total_time="$seconds" -artifact_prefix="$work/$name/artifacts/" -print_final_stats=1)
  [[ -f fuzz/$name.dict ]] && args+=(-dict="fuzz/$name.dict")
  # NAME.options is OSS-Fuzz's INI file; its [libfuzzer] keys become flags.
  if [[ -f fuzz/$name.options ]]; then
    mapfile -t -O "${#args[@]}" args < <(sed -n 's/^ *\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "fuzz/$name.options")
  fi
  if [[ -n ${under:-} ]]; then
    # A difference is kept and the run goes on; the server in the guest is
    # this same binary (no leak check there: LeakSanitizer needs ptrace,
    # which gVisor's ptrace platform holds).
    rm -rf "$work/$name/differences" "$work/$name/triage"
    mkdir -p "$work/$name/differences"
    args+=("--under=$under" "--keep-going=$work/$name/differences")
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
  fi
  echo "=== $name for ${seconds}s (corpus $work/$name/corpus)${under:+, differential: host vs $under}"
  seeds=("fuzz/corpus/$name")
  # fuzz/NAME.seeds: more folders of seeds (read only; new inputs go to the
  # working corpus, the first folder).
  if [[ -f fuzz/$name.seeds ]]; then
    while read -r dir; do [[ -n $dir && $dir != \#* ]] && seeds+=("$dir"); done < "fuzz/$name.seeds"
  fi
  if ! "$bin/fuzz/$name" "${args[@]}" "$work/$name/corpus" "${seeds[@]}" \
       > "$work/$name/last.log" 2>&1; then
    status=1
    echo "$name: FINDING; log $work/$name/last.log, inputs in $work/$name/artifacts/"
    if [[ $name == ops_fuzzer ]]; then
      echo "as a case: bazel run //fuzz:crash_to_case -- $work/$name/artifacts/crash-SHA1 --out=\$PWD/cases/fuzz/NAME.case"
    fi
    # blocking_fuzzer prints the program as a case file (`= ?` results).
    [[ $name == blocking_fuzzer ]] &&
      echo "as a case: the text after 'as a case' in the log, then sockspec record FILE"
    tail -40 "$work/$name/last.log"
  else
    grep -E 'stat::(number_of_executed_units|average_exec_per_sec)|operations/s|distinct differences' "$work/$name/last.log" || true
  fi
  if [[ -n ${under:-} && -z $(ls -A "$work/$name/differences") ]]; then
    echo "no differences with $under: nothing to triage"
  elif [[ -n ${under:-} ]]; then
    mkdir -p "$work/$name/triage"
    if ! "$bin/fuzz/ops_triage" --under="$under" --cases="$work/$name/triage/cases" \
         --reproducers="$work/$name/triage/reproducers" --library=cases \
         "$work/$name/differences" \
         | tee "$work/$name/triage/table.md"; then
      status=1
    fi
  fi
done
bazel "${startup[@]}" shutdown >/dev/null 2>&1 || true
exit "$status"
