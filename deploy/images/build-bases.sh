#!/usr/bin/env bash
# Builds local stand-ins for the official base images (node:20-bookworm-slim and
# nginxinc/nginx-unprivileged), because nothing can be pulled from a registry on the CI machine:
#   localhost/shiftstack-debian:bookworm     debootstrap minbase root file system, imported
#   localhost/shiftstack-node-base:20        + this machine's node and npm (same as the slim image's layout)
#   localhost/shiftstack-nginx-base:bookworm + Debian's nginx, run as UID/GID 101 like nginx-unprivileged
# An image that already exists is kept, so reruns take seconds; FORCE=1 rebuilds everything.
# Needs root, debootstrap and podman. Prints nothing but progress; exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="$here/containers.conf"
if [[ "${SHIFTSTACK_PODMAN_STORAGE:-overlay}" == vfs ]]; then
  export CONTAINERS_STORAGE_CONF="$here/storage-vfs.conf"
else
  export CONTAINERS_STORAGE_CONF="$here/storage.conf"
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

debian_image=localhost/shiftstack-debian:bookworm
node_image=localhost/shiftstack-node-base:20
nginx_image=localhost/shiftstack-nginx-base:bookworm

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

needed() { [[ "${FORCE:-0}" == 1 ]] || ! podman image exists "$1"; }

if needed "$debian_image"; then
  echo "build-bases: debootstrap bookworm (about 40 s)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  # What a slim image leaves out: package caches, docs, man pages, translations.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
    "$work"/rootfs/usr/share/{doc,man,info,locale}/*
  tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
  podman import --quiet --change 'CMD ["bash"]' "$work/rootfs.tar" "$debian_image" >/dev/null
  rm -rf "$work/rootfs" "$work/rootfs.tar"
fi

build_node_base() {
  echo "build-bases: node base from $(command -v node) ($(node --version))"
  local node_bin npm_dir
  node_bin="$(readlink -f "$(command -v node)")"
  npm_dir="$(npm root -g)/npm"
  mkdir -p "$work/node-context"
  cp "$node_bin" "$work/node-context/node"
  cp -r "$npm_dir" "$work/node-context/npm"
  podman build --quiet --pull=never --network=host --build-arg "DEBIAN_BASE=$debian_image" \
    --build-arg "NODE_VERSION=$(node --version)" \
    -f "$here/node-base/Containerfile" -t "$node_image" "$work/node-context" >/dev/null
}

build_nginx_base() {
  echo "build-bases: nginx base (apt-get install nginx)"
  # --network=host: apt inside the build reaches the Debian mirror the same way the host does.
  podman build --quiet --pull=never --network=host --build-arg "DEBIAN_BASE=$debian_image" \
    -f "$here/nginx-base/Containerfile" -t "$nginx_image" "$here/nginx-base" >/dev/null
}

# The two bases only share the Debian image: build them side by side (one waits on the network, the
# other on the disk).
pids=()
if needed "$node_image"; then build_node_base & pids+=($!); fi
if needed "$nginx_image"; then build_nginx_base & pids+=($!); fi
for pid in "${pids[@]}"; do wait "$pid"; done

echo "build-bases: ready: $node_image $nginx_image"
