#!/usr/bin/env bash
# Nothing left behind: CI's last check that its steps left no process, no
# entry in the machine's temporary directories and no change in the
# checkout.
#   ci/leftovers.sh snapshot FILE        notes what is there now
#   ci/leftovers.sh check FILE [SKIP]    compares with FILE; exit 1 if anything is new
# `check` stops this checkout's Bazel server first (it would be a process
# of ours). SKIP is a path of the caller's that is still in use (CI's own
# scratch directory, removed when CI exits). What counts:
# - a new entry in /tmp, /var/tmp or /dev/shm (a socket file, a temporary
#   directory, a shared-memory segment, a JVM's hsperfdata_USER);
# - a new process that is ours: a systems-under-test program (qemu, runsc,
#   stress-ng), a Bazel server (java), or a program run from this checkout,
#   a Bazel output tree or a temporary directory (sockspec, a test, a peer);
# - `git status` not clean: a tracked file changed (a fuzzer adding inputs
#   to its seed corpus) or an untracked file not in .gitignore.
set -euo pipefail
cd "$(dirname "$0")/.."

temp_entries() {
  find /tmp /var/tmp /dev/shm -mindepth 1 -maxdepth 1 2>/dev/null | LC_ALL=C sort
}

pids() {
  ps -e -o pid= | tr -d ' ' | LC_ALL=C sort
}

mode=${1:?usage: ci/leftovers.sh snapshot|check FILE [SKIP]}
file=${2:?usage: ci/leftovers.sh snapshot|check FILE [SKIP]}
case $mode in
  snapshot)
    { temp_entries | sed 's/^/entry /'; pids | sed 's/^/pid /'; } > "$file"
    exit 0
    ;;
  check) ;;
  *)
    echo "ci/leftovers.sh: unknown mode '$mode' (snapshot or check)" >&2
    exit 2
    ;;
esac
skip=${3:-}
bazel shutdown >/dev/null 2>&1 || true

problems=0
new_entries=$(LC_ALL=C comm -13 <(sed -n 's/^entry //p' "$file") <(temp_entries) |
  grep -vxF -e "$file" ${skip:+-e "$skip"} || true)
if [[ -n $new_entries ]]; then
  echo "left in the temporary directories:"
  while IFS= read -r e; do ls -ld "$e"; done <<< "$new_entries"
  problems=$((problems + 1))
fi

root=$(pwd)
ours=()
for pid in $(LC_ALL=C comm -13 <(sed -n 's/^pid //p' "$file") <(pids)); do
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue  # gone, or a kernel thread
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
  case $exe in
    "$root"/* | */.cache/bazel/* | /tmp/* | /var/tmp/*) ours+=("$pid") ;;
    *)
      case $comm in
        qemu-system-* | runsc* | stress-ng* | java) ours+=("$pid") ;;
      esac
      ;;
  esac
done
if ((${#ours[@]} > 0)); then
  echo "processes left running:"
  ps -o pid,ppid,etime,args -p "$(IFS=,; echo "${ours[*]}")" || true
  problems=$((problems + 1))
fi

changes=
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  changes=$(git status --porcelain)
fi
if [[ -n $changes ]]; then
  echo "the checkout changed (git status):"
  echo "$changes" | head -40
  problems=$((problems + 1))
fi

if ((problems > 0)); then
  echo "ci/leftovers.sh: $problems of 3 checks failed (above)"
  exit 1
fi
echo "ci/leftovers.sh: nothing left: no new process, no new entry in /tmp," \
  "/var/tmp or /dev/shm, the checkout unchanged"
