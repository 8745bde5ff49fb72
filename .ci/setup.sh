#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine (Node >= 20 for the tools) for this repo, then installs the workspace,
# which includes the Node 22, 24 and 26 runtimes the suites run on (npm packages, tools/test-tools).
#
#   bash .ci/setup.sh           pnpm (through corepack) and the workspace's packages
#   bash .ci/setup.sh --tests   also what the test suites run besides Node: the Docker engine
#                                   (started when none is running), nginx, h2load, openssl,
#                                   Python's grpcio for the benchmark's tutorial baseline, and
#                                   Chromium for the calculator page's browser tests
#
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test_tools=false
for arg in "$@"; do
  case "$arg" in
    --tests) want_test_tools=true ;;
    *) echo "setup: unknown option $arg (use --tests)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- pnpm, the version package.json pins, through corepack -------------------------------------
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version >/dev/null 2>&1; then
  corepack enable 2>/dev/null || as_root corepack enable
  if ! pnpm --version >/dev/null 2>&1; then
    # Some registry mirrors serve no signing keys; corepack then refuses every download.
    echo "setup: corepack could not verify pnpm's signature (registry mirror without keys); retrying with COREPACK_INTEGRITY_KEYS=0"
    COREPACK_INTEGRITY_KEYS=0 pnpm --version >/dev/null
  fi
fi
echo "setup: pnpm $(pnpm --version)"

# --- system tools for the test suites -------------------------------------------------------------
if $want_test_tools; then
  packages=()
  docker info >/dev/null 2>&1 || command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
  command -v nginx >/dev/null 2>&1 || packages+=(nginx-light)
  command -v h2load >/dev/null 2>&1 || packages+=(nghttp2-client)
  command -v openssl >/dev/null 2>&1 || packages+=(openssl)
  /usr/bin/python3 -c 'import grpc, grpc_tools' >/dev/null 2>&1 || packages+=(python3-grpcio python3-grpc-tools)
  # Debian's Chromium, driven by playwright-core (which downloads no browser of its own).
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  if [ ${#packages[@]} -gt 0 ]; then
    echo "setup: installing ${packages[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "setup: starting the Docker engine"
    as_root setsid dockerd >/tmp/dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start, see /tmp/dockerd.log" >&2; exit 1; }
  fi
  echo "setup: docker $(docker info --format '{{.ServerVersion}}'), $(nginx -v 2>&1), $(h2load --version | head -1), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
fi

# --- the workspace ------------------------------------------------------------------------------
if [ "${CI:-}" = true ]; then pnpm install --frozen-lockfile; else pnpm install; fi
if $want_test_tools; then
  # The Node runtimes of the test matrix and of the e2e runtime image (one clear line if one is missing).
  for major in 22 24 26; do
    runtime=$(node tools/test-tools/bin/node-runtime.mjs "$major") || exit 1
    echo "setup: test runtime Node $("$runtime" --version)"
  done
fi
