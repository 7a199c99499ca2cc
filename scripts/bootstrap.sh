#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for IterPref: bubblewrap (the sandbox),
# libseccomp (its system-call filter), a Python 3 interpreter at /usr/bin/python3 (the runtime),
# curl, a JDK 17+ and Chromium (the command line's report test draws its HTML headless); for the
# compose smoke test (scripts/compose-smoke.sh) and the Docker tests: docker.io (engine and client),
# docker-compose and debootstrap (the offline base images); for the load suite (scripts/load-test.sh):
# Node.js and npm, then autocannon as pinned in reliability/load/package-lock.json (npm ci).
# Engines are started where needed by scripts/docker-engine.sh, not here.
# Safe to run repeatedly; only installs what is missing. Needs root (or sudo) to install.
set -euo pipefail

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
# the sandboxes' system-call filter is built with libseccomp (runtime/python/sandbox_seccomp.py)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
# the cli's report test draws report.html in headless Chromium (Debian's package; skipped without it, failed on CI)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; } || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# the load suite (reliability/load) runs autocannon on Node.js
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "bootstrap: please install ${missing[*]} (no root, no sudo)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# the load suite's tool, exactly as locked (node_modules is not committed)
load_dir="$(dirname "$0")/../reliability/load"
if [ -f "$load_dir/package-lock.json" ] && [ "$(node -p 'require(require("path").resolve(process.argv[1])).version' \
     "$load_dir/node_modules/autocannon/package.json" 2>/dev/null)" != 9.0.0 ]; then
  npm ci --prefix "$load_dir" --no-audit --no-fund --loglevel=error
fi

# the deploy module's tests render k8s/ with kubectl's kustomize (5.x); Debian's own kubernetes-client
# carries a far older kustomize, so it is not installed here: say so plainly instead
if ! command -v kubectl >/dev/null 2>&1; then
  echo "bootstrap: kubectl (with kustomize 5) is missing: the deploy module's tests will fail;" >&2
  echo "  install kubectl from https://kubernetes.io/docs/tasks/tools/ (or run with -pl '!deploy')" >&2
fi

# bubblewrap needs unprivileged user namespaces (or root); say so plainly when they are off
if ! bwrap --unshare-user --ro-bind /usr /usr --symlink usr/lib64 /lib64 --symlink usr/lib /lib /usr/bin/true 2>/dev/null; then
  echo "bootstrap: bubblewrap cannot create a user namespace here." >&2
  echo "  enable them: sysctl -w kernel.unprivileged_userns_clone=1 (Debian) or" >&2
  echo "  sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+)" >&2
  exit 1
fi
