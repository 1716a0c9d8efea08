#!/usr/bin/env bash
# Builds every fuzzer the way OSS-Fuzz's build step does, without Bazel:
# compiles the harness with $CXX $CXXFLAGS, links each fuzz/NAME_fuzzer.cc
# with it, $LIB_FUZZING_ENGINE and Debian's static Abseil, and puts NAME,
# NAME_seed_corpus.zip, NAME.dict and NAME.options into $OUT.
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

libdir=/usr/lib/x86_64-linux-gnu
# All of Abseil, in one group: the linker takes what the fuzzer needs.
absl=("$libdir"/libabsl_*.a)

# shellcheck disable=SC2086  # CXXFLAGS is a list of flags
compile() { $CXX $CXXFLAGS -std=c++17 -I"$root" -c "$1" -o "$2"; }

# Every harness source but tests and main()s goes into one archive, and each
# fuzzer takes from it what it needs, as the linker decides (the harness has
# no header-to-source convention a script could follow). A source that does
# not compile is left out with a warning: a fuzzer that needs it then fails
# to link. Two compilers at a time.
objs=()
pids=()
# The one generated source: the catalogue's behaviour ids (as Bazel's
# //harness/lang:behaviour_ids_cc makes it).
mkdir -p "$WORK/gen"
bash "$root/harness/lang/behaviour_ids.sh" "$root/cases/behaviours.tsv" > "$WORK/gen/behaviour_ids.cc"
for src in "$root"/harness/*/*.cc "$WORK/gen/behaviour_ids.cc"; do
  case $src in *_test.cc | *_test_util.cc) continue ;; esac
  if grep -q '^int main(' "$src"; then continue; fi
  obj=$WORK/obj/$(basename "$src" .cc).o
  rm -f "$obj"
  { compile "$src" "$obj" 2> "$obj.log" ||
      echo "oss_fuzz_build: warning: $src does not compile; left out" >&2; } &
  pids+=($!)
  objs+=("$obj")
  if (( ${#pids[@]} >= 2 )); then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
built=()
for obj in "${objs[@]}"; do [[ -f $obj ]] && built+=("$obj"); done
rm -f "$WORK/libsockspec.a"
ar rcs "$WORK/libsockspec.a" "${built[@]}"

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
  $CXX $CXXFLAGS -std=c++17 -I"$root" "$src" "$WORK/libsockspec.a" -o "$OUT/$name" \
    $LIB_FUZZING_ENGINE -Wl,--start-group "${absl[@]}" -Wl,--end-group \
    -lrt -lpthread
  rm -f "$OUT/${name}_seed_corpus.zip"
  if [[ -d $root/fuzz/corpus/$name ]]; then
    zip_dir "$root/fuzz/corpus/$name" "$OUT/${name}_seed_corpus.zip"
  fi
  # NAME.seeds lists folders of the repository whose files also seed NAME
  # (case_parser_fuzzer: every case file).
  if [[ -f $root/fuzz/$name.seeds ]]; then
    while read -r dir; do
      [[ -z $dir || $dir == \#* ]] && continue
      python3 - "$root" "$dir" "$OUT/${name}_seed_corpus.zip" <<'PY'
import os, sys, zipfile
root, rel, dst = sys.argv[1:4]
with zipfile.ZipFile(dst, "a") as z:
    for base, _, files in sorted(os.walk(os.path.join(root, rel))):
        for f in sorted(files):
            path = os.path.join(base, f)
            z.write(path, os.path.relpath(path, root).replace("/", "_"))
PY
    done < "$root/fuzz/$name.seeds"
  fi
  for ext in dict options; do
    if [[ -f $root/fuzz/$name.$ext ]]; then cp "$root/fuzz/$name.$ext" "$OUT/"; fi
  done
  echo "oss_fuzz_build: $OUT/$name"
done
