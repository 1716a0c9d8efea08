#!/usr/bin/env bash
# The whole case library on this kernel and on each system named, compared
# instance by instance, in one report: ${REPORT_DIR:-bazel-report}/
# conformance.{txt,html,md,xml}. A system is anything `sockspec run --under`
# takes: gvisor, qemu:KERNEL (a path, or a version such as 6.1 that
# ci/kernel.sh fetches), command:CMD. Default: gvisor. Needs root for gvisor
# (runsc do) and bash ci/setup.sh's packages.
# Exit code: sockspec's (0: every divergence is recorded in a case or in
# cases/platforms/PLATFORM.xfail).
# Usage: bash ci/systems.sh [--under=SYSTEM]... [BAZEL_BUILD_FLAGS...]
#        BAZEL="bazel --output_base=DIR" bash ci/systems.sh   (startup options)
set -euo pipefail
cd "$(dirname "$0")/.."

systems=()
while [[ ${1:-} == --under=* ]]; do
  system=${1#--under=}
  if [[ $system == qemu:* && ! -e ${system#qemu:} ]]; then
    system=qemu:$(bash ci/kernel.sh "${system#qemu:}")
  fi
  systems+=("--under=$system")
  shift
done
((${#systems[@]} > 0)) || systems=(--under=gvisor)
if [[ " ${systems[*]} " == *" --under=gvisor "* && $(id -u) != 0 ]]; then
  echo "ci/systems.sh: runsc do needs root" >&2
  exit 2
fi

# The static build: a qemu guest's /init must be static, and the other
# systems run it as well. It shares its objects with //harness:sockspec.
read -r -a bazel <<< "${BAZEL:-bazel}"
"${bazel[@]}" build "$@" //harness:sockspec_static
report_dir=${REPORT_DIR:-bazel-report}
mkdir -p "$report_dir"
# A copy: a later build of another config would replace bazel-bin's.
sockspec=$report_dir/sockspec-static
install -m 755 "$("${bazel[@]}" info "$@" bazel-bin)/harness/sockspec_static" "$sockspec"

set +e
XML_OUTPUT_FILE=$report_dir/conformance.xml \
  "$sockspec" run "${systems[@]}" \
  --html="$report_dir/conformance.html" --markdown="$report_dir/conformance.md" \
  cases | tee "$report_dir/conformance.txt"
code=${PIPESTATUS[0]}
set -e
echo "ci/systems.sh: report in $report_dir/conformance.{txt,html,md,xml} (exit $code)"
exit "$code"
