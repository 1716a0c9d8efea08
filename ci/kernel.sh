#!/usr/bin/env bash
# Fetches a Debian kernel image to boot under `sockspec run --under=qemu:...`
# and prints the path of its vmlinuz. No root, no kernel tree: apt-get
# download (Debian's archive) and dpkg -x into a cache outside the source tree.
#
#   bash ci/kernel.sh 6.1        # newest 6.1 cloud kernel the archive has
#   bash ci/kernel.sh 6.12       # newest 6.12 (bookworm-security)
#   bash ci/kernel.sh 6.1.0-28   # that build
#   sockspec run --under=qemu:"$(bash ci/kernel.sh 6.1)" cases
#
# The cache is $SOCKSPEC_KERNEL_CACHE, else ~/.cache/sockspec/kernels; a
# kernel already there is printed without touching the network. Progress goes
# to stderr; stdout is only the path. Exit 2 when no package matches.
set -euo pipefail

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: $0 VERSION   (6.1, 6.12, 6.1.0-28, or a full package name)" >&2
  exit 2
fi
want=$1
cache=${SOCKSPEC_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sockspec/kernels}
mkdir -p "$cache"

# The package: a full name as given, else the newest cloud image whose
# version starts with VERSION (6.1 -> 6.1.0-NN, 6.12 -> 6.12.NN+deb12).
if [[ "$want" == linux-image-* ]]; then
  pkg=$want
else
  pkg=$(apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64-unsigned$' |
        awk '{print $1}' |
        awk -v v="$want" '{ r = substr($0, 13) } index(r, v) == 1 &&
            (length(r) == length(v) || substr(r, length(v) + 1, 1) ~ /[.+-]/)' |
        sort -V | tail -n 1)
  if [[ -z "$pkg" ]]; then
    echo "$0: no linux-image-$want*-cloud-amd64-unsigned package in the archive" \
         "(apt-get update? apt-cache search linux-image lists them)" >&2
    exit 2
  fi
fi

dir=$cache/$pkg
image=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
if [[ -z "$image" ]]; then
  echo "$0: fetching $pkg into $cache" >&2
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download writes into the current directory; as root it would
  # drop to the _apt user, which cannot read the cache under /root.
  (cd "$tmp" && chmod 777 . && apt-get -o APT::Sandbox::User=root download -q "$pkg" >&2)
  deb=$(ls "$tmp"/*.deb)
  mkdir -p "$tmp/x"
  dpkg -x "$deb" "$tmp/x"
  rm -rf "$dir"
  mkdir -p "$dir"
  mv "$tmp/x/boot" "$dir/boot"
  image=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
fi
echo "$image"
