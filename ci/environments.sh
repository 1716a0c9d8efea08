#!/usr/bin/env bash
# The suite (README command 1) in environments a new user may have; each must
# exit 0, with the cases that cannot run there listed as SKIP and a reason:
#   nofile  `ulimit -n 1024` (a common login default)
#   noipv6  a network namespace whose loopback has no ::1 (unshare -n, then
#           net.ipv6.conf.lo.disable_ipv6=1)
#   user    an ordinary user (nobody, through setpriv)
# With --bazel, `bazel test` of the harness and case tests also runs in all
# three at once: as nobody, with `ulimit -n 1024`, inside the namespace
# without IPv6, in a copy of the checkout (its own output base, HOME and
# Bazel server). That build is cold unless --disk-cache=DIR names a Bazel disk
# cache an earlier build filled (CI passes the one its test step wrote); DIR
# is read through hard links in a directory of nobody's, never changed. Test
# results are never taken from it. Needs root (unshare, setpriv). CI runs it
# with --bazel.
#   bash ci/environments.sh [--bazel [--disk-cache=DIR]]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
with_bazel=0
disk_cache=
for arg in "$@"; do
  case $arg in
    --bazel) with_bazel=1 ;;
    --disk-cache=*) disk_cache=$(realpath "${arg#--disk-cache=}") ;;
    *) echo "usage: bash ci/environments.sh [--bazel [--disk-cache=DIR]]" >&2; exit 2 ;;
  esac
done

bazel build //harness:sockspec
bin=$(bazel info bazel-bin)/harness/sockspec
# A copy nobody can read: the binary and the library, in a private directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/sockspec"
cp -r cases "$work/cases"
chmod -R a+rX "$work"

failures=0
check() {  # check NAME CODE LOG SKIPPED_INSTANCE...: exit 0, each one SKIP
  local name=$1 code=$2 log=$3
  shift 3
  if [[ $code != 0 ]]; then
    echo "FAIL $name: exit code $code, want 0"; tail -30 "$log"; failures=$((failures + 1))
  fi
  for skipped in "$@"; do
    grep -qF -- "SKIP  $skipped" "$log" ||
      { echo "FAIL $name: not skipped: $skipped"; failures=$((failures + 1)); }
  done
  echo "--- $name: $(tail -1 "$log")"
  grep -A1 '^SKIP ' "$log" | grep -v '^--$' | sed 's/^/    /'
}

cd "$work"
set +e
bash -c 'ulimit -n 1024 && ./sockspec run --jobs=2 cases' > nofile.log 2>&1
check nofile $? nofile.log "cases/backlog/backlog-is-capped-at-somaxconn.case"

unshare -n bash -c 'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 &&
  ./sockspec run --jobs=2 cases' > noipv6.log 2>&1
check noipv6 $? noipv6.log \
  "cases/boundaries/stream-merges-writes.case [inet6]" \
  "cases/boundaries/stream-splits-a-write.case [inet6]" \
  "cases/creation/socketpair-rejects-bad-arguments.case" \
  "cases/partial/stream-read-returns-what-is-available.case [inet6]" \
  "cases/shutdown/shut-wr-makes-own-writes-fail-epipe.case [inet6]"

setpriv --reuid=nobody --regid=nogroup --clear-groups \
  ./sockspec run --jobs=2 cases > user.log 2>&1
check user $? user.log \
  "cases/ancillary/forged-credentials-need-privilege.case [SOCK_STREAM]" \
  "cases/ancillary/forged-credentials-need-privilege.case [SOCK_DGRAM]" \
  "cases/ancillary/forged-credentials-need-privilege.case [SOCK_SEQPACKET]" \
  'cases/namespaces/abstract-names-are-per-network-namespace.case [SOCK_STREAM/path("test")/CLONE_NEWNET]' \
  'cases/namespaces/abstract-names-are-per-network-namespace.case [SOCK_STREAM/abstract("test")/CLONE_NEWNET]' \
  'cases/namespaces/abstract-names-are-per-network-namespace.case [SOCK_DGRAM/path("test")/CLONE_NEWNET]' \
  'cases/namespaces/abstract-names-are-per-network-namespace.case [SOCK_DGRAM/abstract("test")/CLONE_NEWNET]'
set -e
cd - > /dev/null

if ((with_bazel)); then
  # nobody cannot write this checkout or root's caches: a copy, a HOME and an
  # output base of its own; the disk cache's files are hard links (read
  # only to nobody) in directories nobody owns (it adds entries there).
  mkdir -p "$work/user/home"
  git ls-files -z | xargs -0 cp --parents -t "$work/user" 2>/dev/null ||
    tar -cf - --exclude='./bazel-*' --exclude=./.bazel . | tar -xf - -C "$work/user"
  cache_flag=--disk_cache=
  if [[ -n $disk_cache ]]; then
    cp -al "$disk_cache" "$work/user/disk-cache" 2>/dev/null ||
      cp -a "$disk_cache" "$work/user/disk-cache"
    find "$work/user/disk-cache" -type d -exec chown nobody:nogroup {} +
    cache_flag=--disk_cache=$work/user/disk-cache
  fi
  find "$work/user" -path "$work/user/disk-cache" -prune -o -exec chown nobody:nogroup {} +
  cat > "$work/hostile.sh" <<'SCRIPT'
# As nobody: DIR, the disk cache flag, then the targets.
cd "$1" || exit 2
export HOME=$PWD/home
bazel --output_user_root="$HOME/ob" test --nocache_test_results "${@:2}"
s=$?
bazel --output_user_root="$HOME/ob" shutdown
exit "$s"
SCRIPT
  set +e
  unshare -n bash -c 'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 &&
    ulimit -n 1024 && exec setpriv --reuid=nobody --regid=nogroup --clear-groups bash "$@"' \
    _ "$work/hostile.sh" "$work/user" "$cache_flag" //cases/... //harness/... \
    > "$work/bazel-hostile.log" 2>&1
  s=$?
  set -e
  echo "--- bazel test as nobody, with ulimit -n 1024, without IPv6: exit $s;" \
    "$(grep -cE '^//\S+ +PASSED' "$work/bazel-hostile.log") targets passed"
  ((s == 0)) || { tail -30 "$work/bazel-hostile.log"; failures=$((failures + 1)); }
fi

if ((failures > 0)); then echo "ci/environments.sh: $failures checks failed"; exit 1; fi
echo "ci/environments.sh: every environment exits 0 with its skips listed"
