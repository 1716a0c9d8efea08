#!/usr/bin/env bash
# Installs the Debian packages sockspec needs; a no-op when all are present.
# Works as root on a fresh Debian 12 (bookworm). Usage: bash ci/setup.sh
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-cc bazel-rules-java bazel-platforms bazel-skylib
  g++ clang libclang-rt-14-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
  python3
  procps iproute2 util-linux   # sysctl, ip, unshare and setpriv for ci/environments.sh
  runsc        # gVisor, the second system under test
  stress-ng    # keeps the cores busy in the flake runs
  chromium     # renders the conformance report in //harness:html_report_browser_test
  qemu-system-x86  # boots Debian kernels for --under=qemu:KERNEL (ci/kernel.sh fetches them)
  cpio         # reads back the initramfs in //harness/guest:cpio_test
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "ci/setup.sh: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
