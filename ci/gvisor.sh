#!/usr/bin/env bash
# The whole case library on this kernel and inside one gVisor sandbox,
# compared instance by instance, with the conformance report written to
# ${REPORT_DIR:-bazel-report}/conformance.{html,md,txt}. Needs root and runsc
# (bash ci/setup.sh). Exit code: sockspec's (0: every divergence is recorded
# in a case or in cases/platforms/gvisor.xfail).
# Usage: bash ci/gvisor.sh [BAZEL_BUILD_FLAGS...]
#        BAZEL="bazel --output_base=DIR" bash ci/gvisor.sh   (startup options)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) != 0 ]]; then
  echo "ci/gvisor.sh: runsc do needs root" >&2
  exit 2
fi
read -r -a bazel <<< "${BAZEL:-bazel}"
"${bazel[@]}" build "$@" //harness:sockspec
sockspec="$("${bazel[@]}" info "$@" bazel-bin)/harness/sockspec"
report_dir=${REPORT_DIR:-bazel-report}
mkdir -p "$report_dir"

set +e
"$sockspec" run --under=gvisor --jobs=2 \
  --html="$report_dir/conformance.html" --markdown="$report_dir/conformance.md" \
  cases | tee "$report_dir/conformance.txt"
code=${PIPESTATUS[0]}
set -e
echo "ci/gvisor.sh: report in $report_dir/conformance.html (exit $code)"
exit "$code"
