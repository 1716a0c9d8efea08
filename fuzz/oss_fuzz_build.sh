#!/usr/bin/env bash
# Builds every fuzzer the way OSS-Fuzz's build step does, without Bazel:
# compiles the harness modules the fuzzers use with $CXX $CXXFLAGS, links each
# fuzz/NAME.cc with $LIB_FUZZING_ENGINE and Debian's static Abseil, and puts
# NAME, NAME_seed_corpus.zip, NAME.dict and NAME.options into $OUT.
#   CC=clang CXX=clang++ CFLAGS=... CXXFLAGS='-fsanitize=address,fuzzer-no-link' \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/out bash fuzz/oss_fuzz_build.sh
# $WORK (scratch for objects) defaults to a temporary directory removed at exit.
set -euo pipefail
: "${CC:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${WORK:-} ]]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$OUT" "$WORK/obj"

# The harness modules behind the fuzzers (keep in step with their Bazel deps).
modules=(fd child model model_internal model_read model_types fuzz_ops fuzz_sizes)
libdir=/usr/lib/x86_64-linux-gnu
read -r -a absl <<< "$(pkg-config --libs-only-l --static absl_statusor \
  absl_str_format absl_strings absl_hash absl_raw_hash_set | tr ' ' '\n' |
  grep '^-labsl_' | tr '\n' ' ')"

# shellcheck disable=SC2086  # CXXFLAGS is a list of flags
compile() { $CXX $CXXFLAGS -std=c++17 -I"$root" -c "$1" -o "$2"; }

objs=()
pids=()  # two compilers at a time; `wait PID` fails the script if one fails
for m in "${modules[@]}"; do
  compile "$root/harness/$m.cc" "$WORK/obj/$m.o" &
  pids+=($!)
  objs+=("$WORK/obj/$m.o")
  if (( ${#pids[@]} >= 2 )); then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
rm -f "$WORK/libsockspec_fuzz.a"
ar rcs "$WORK/libsockspec_fuzz.a" "${objs[@]}"

zip_dir() {  # DIR ZIP: the files of DIR, flat, with zip or python3
  if command -v zip > /dev/null; then
    (cd "$1" && zip -q -j "$2" ./*)
  else
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w") as z:
    for name in sorted(os.listdir(src)):
        z.write(os.path.join(src, name), name)
PY
  fi
}

for src in "$root"/fuzz/*_fuzzer.cc; do
  name=$(basename "$src" .cc)
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -std=c++17 -I"$root" "$src" -o "$OUT/$name" \
    $LIB_FUZZING_ENGINE "$WORK/libsockspec_fuzz.a" \
    -L"$libdir" -Wl,-Bstatic -Wl,--start-group "${absl[@]}" -Wl,--end-group \
    -Wl,-Bdynamic -lrt -lpthread
  rm -f "$OUT/${name}_seed_corpus.zip"
  if [[ -d $root/fuzz/corpus/$name ]]; then
    zip_dir "$root/fuzz/corpus/$name" "$OUT/${name}_seed_corpus.zip"
  fi
  for ext in dict options; do
    if [[ -f $root/fuzz/$name.$ext ]]; then cp "$root/fuzz/$name.$ext" "$OUT/"; fi
  done
  echo "oss_fuzz_build: $OUT/$name"
done
