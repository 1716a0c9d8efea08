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

for src in "$root"/fuzz/*_fuzzer.cc; do
  name=$(basename "$src" .cc)
  [[ -x $OUT/$name ]] || fail "no $OUT/$name"
  for f in "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
    [[ -s $OUT/$f ]] || fail "no $OUT/$f"
  done
  grep -q '^\[libfuzzer\]' "$OUT/$name.options" || fail "$name.options is not INI"
  seeds=$(ls "$root/fuzz/corpus/$name" | wc -l)
  zipped=$(python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' \
    "$OUT/${name}_seed_corpus.zip")
  [[ $zipped == "$seeds" ]] || fail "$name: $zipped seeds zipped, $seeds in fuzz/corpus"

  # As ClusterFuzz would: the seeds unpacked, the dictionary, 100 runs.
  mkdir -p "$tmp/corpus/$name"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$OUT/${name}_seed_corpus.zip" "$tmp/corpus/$name"
  log=$tmp/$name.log
  "$OUT/$name" -runs=100 -seed=1 -dict="$OUT/$name.dict" \
    -artifact_prefix="$tmp/" "$tmp/corpus/$name" > "$log" 2>&1 ||
    { cat "$log"; fail "$name -runs=100 failed"; }
  grep -q '^Done 100 runs' "$log" || { cat "$log"; fail "$name did not do 100 runs"; }
  echo "$name: built, packaged, $(grep '^Done' "$log")"
done
