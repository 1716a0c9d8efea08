#!/usr/bin/env bash
# Runs fuzz/oss_fuzz_build.sh with the variables OSS-Fuzz's build step sets
# (clang, ASan, libFuzzer) and checks that $OUT holds every fuzzer with its
# seed corpus zip, dictionary and options, and that each fuzzer runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=${TEST_TMPDIR:?run me with bazel test}
fail() { echo "FAIL: $*" >&2; exit 1; }

flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address"
flags+=" -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CC=clang CXX=clang++ CFLAGS=$flags CXXFLAGS=$flags
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export OUT=$tmp/out WORK=$tmp/work TMPDIR=$tmp
mkdir -p "$OUT" "$WORK"
bash "$root/fuzz/oss_fuzz_build.sh"

unzip_to() { python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$@"; }
zip_count() { python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }

for src in "$root"/fuzz/*_fuzzer.cc; do
  name=$(basename "$src" .cc)
  [[ -x $OUT/$name ]] || fail "no $OUT/$name"
  # What the source tree has for a fuzzer must be in $OUT, as it is.
  for ext in dict options; do
    if [[ -f $root/fuzz/$name.$ext ]]; then
      cmp -s "$root/fuzz/$name.$ext" "$OUT/$name.$ext" || fail "no $OUT/$name.$ext"
    fi
  done
  if [[ -f $OUT/$name.options ]]; then
    grep -q '^\[libfuzzer\]' "$OUT/$name.options" || fail "$name.options is not INI"
  fi
  mkdir -p "$tmp/corpus/$name"
  zip=$OUT/${name}_seed_corpus.zip
  if [[ -d $root/fuzz/corpus/$name ]]; then
    [[ -s $zip ]] || fail "no $zip"
    seeds=$(find -L "$root/fuzz/corpus/$name" -type f | wc -l)
    [[ $(zip_count "$zip") == "$seeds" ]] || fail "$name: $(zip_count "$zip") of $seeds seeds zipped"
    unzip_to "$zip" "$tmp/corpus/$name"
  fi

  # As ClusterFuzz would: the seeds unpacked, the dictionary, 100 runs.
  dict=()
  if [[ -f $OUT/$name.dict ]]; then dict=(-dict="$OUT/$name.dict"); fi
  log=$tmp/$name.log
  "$OUT/$name" -runs=100 -seed=1 "${dict[@]}" -artifact_prefix="$tmp/" \
    "$tmp/corpus/$name" > "$log" 2>&1 || { cat "$log"; fail "$name -runs=100 failed"; }
  grep -q '^Done 100 runs' "$log" || { cat "$log"; fail "$name did not do 100 runs"; }
  echo "$name: built, packaged, $(grep '^Done' "$log")"
done

# Differential mode works in the OSS-Fuzz build too, where a guest is
# available: here `command:env` (this machine again: no difference).
log=$tmp/ops_fuzzer-differential.log
SOCKSPEC_FUZZ_UNDER=command:env "$OUT/ops_fuzzer" -runs=100 -seed=1 \
  "$tmp/corpus/ops_fuzzer" > "$log" 2>&1 || { cat "$log"; fail "ops_fuzzer differential failed"; }
grep -q '^ops_fuzzer: differential mode' "$log" || { cat "$log"; fail "ops_fuzzer: no differential mode"; }
grep -q '^Done 100 runs' "$log" || { cat "$log"; fail "ops_fuzzer differential did not do 100 runs"; }
echo "ops_fuzzer --under=command:env: $(grep '^Done' "$log")"
