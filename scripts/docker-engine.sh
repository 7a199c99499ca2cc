#!/usr/bin/env bash
# Makes a Docker engine and the offline sandbox image available for the executor's Docker backend.
#   1. When no engine answers (DOCKER_HOST or /var/run/docker.sock): installs docker.io with apt-get
#      if dockerd is missing, starts dockerd in the background (log: $DOCKERD_LOG) and waits for it.
#   2. Unless the image exists already: builds it without any image registry, from Debian packages
#      (debootstrap --variant=minbase with python3 and python3-numpy), then 'docker import'.
# Idempotent; needs root for anything it has to install or start. Used by the tests and by CI.
#   --engine-only   step 1 only (scripts/compose-smoke.sh)
#
# Environment: SANDBOX_IMAGE (iterpref/sandbox-python:bookworm), DEBIAN_SUITE (bookworm),
#              DEBIAN_MIRROR (the first deb.debian.org-style URI of apt's sources, else
#              http://deb.debian.org/debian), DOCKERD_LOG (/tmp/iterpref-dockerd.log),
#              ENGINE_WAIT_S (60).
# Exit status: 0 engine and image ready; 1 something failed (the reason is printed).
set -euo pipefail

IMAGE="${SANDBOX_IMAGE:-iterpref/sandbox-python:bookworm}"
SUITE="${DEBIAN_SUITE:-bookworm}"
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/iterpref-dockerd.log}"
ENGINE_WAIT_S="${ENGINE_WAIT_S:-60}"

say() { echo "docker-engine: $*"; }
fail() { echo "docker-engine: FAILED: $*" >&2; exit 1; }

engine_answers() { docker info >/dev/null 2>&1; }

apt_install() {
  [ "$(id -u)" -eq 0 ] || fail "installing $* needs root"
  command -v apt-get >/dev/null 2>&1 || fail "installing $* needs apt-get (Debian/Ubuntu)"
  say "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || fail "apt-get install $* failed"
}

ensure_engine() {
  if command -v docker >/dev/null 2>&1 && engine_answers; then
    say "a Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"
    return
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]; then
    fail "no Docker engine answers at DOCKER_HOST=${DOCKER_HOST}; start it or unset DOCKER_HOST"
  fi
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    apt_install docker.io
    if engine_answers; then
      say "a Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} (the client was missing)"
      return
    fi
  fi
  command -v dockerd >/dev/null 2>&1 || fail "dockerd is still missing after installing docker.io"
  [ "$(id -u)" -eq 0 ] || fail "starting dockerd needs root"
  say "starting dockerd in the background (log: $DOCKERD_LOG)"
  nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  local pid=$! waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      fail "dockerd exited at start-up (see $DOCKERD_LOG)"
    fi
    if [ "$waited" -ge "$ENGINE_WAIT_S" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      fail "dockerd (pid $pid) did not answer within ${ENGINE_WAIT_S} s (see $DOCKERD_LOG)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "dockerd (pid $pid) answers after ${waited} s"
}

# The Debian mirror apt already uses (deb822 'URIs:' or one-line 'deb URI suite ...'), else deb.debian.org.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local files=() uri
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  if [ ${#files[@]} -gt 0 ]; then
    uri=$(grep -hoE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)[a-z]+://[^[:space:]]+' "${files[@]}" \
      | grep -oE '[a-z]+://[^[:space:]]+' | grep -E '/debian/?$' | head -n 1 || true)
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  fi
  echo "http://deb.debian.org/debian"
}

build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "image $IMAGE exists"
    return
  fi
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  [ "$(id -u)" -eq 0 ] || fail "building $IMAGE with debootstrap needs root"
  local mirror dir
  mirror=$(debian_mirror)
  dir=$(mktemp -d /tmp/iterpref-sandbox-rootfs.XXXXXX)
  ROOTFS="$dir"
  trap 'rm -rf "$ROOTFS"' EXIT
  say "building $IMAGE offline: debootstrap --variant=minbase $SUITE from $mirror (a few minutes) ..."
  if ! debootstrap --variant=minbase --include=python3,python3-numpy "$SUITE" "$dir" "$mirror" \
      >"$dir.debootstrap.log" 2>&1; then
    tail -n 30 "$dir.debootstrap.log" >&2 || true
    fail "debootstrap failed (full log: $dir.debootstrap.log)"
  fi
  rm -f "$dir.debootstrap.log"
  [ -x "$dir/usr/bin/python3" ] || fail "the debootstrapped tree has no /usr/bin/python3"
  say "trimming apt lists, caches and documentation"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/var/cache/debconf/*-old \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* \
    "$dir"/var/log/* "$dir"/tmp/* "$dir"/root/.cache
  say "importing the tree as $IMAGE"
  tar --numeric-owner -C "$dir" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/usr/bin/python3"]' - "$IMAGE" >/dev/null || fail "docker import of $IMAGE failed"
  docker run --rm --network none "$IMAGE" /usr/bin/python3 -c 'import numpy' \
    || fail "$IMAGE cannot import numpy"
  say "image $IMAGE ready ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
}

ensure_engine
[ "${1:-}" = "--engine-only" ] || build_image
