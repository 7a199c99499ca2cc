#!/usr/bin/env bash
# Builds the base images of the compose platform without any image registry, from Debian packages
# (debootstrap against the Debian mirror apt already uses, then `docker import`):
#   iterpref/base-jre:bookworm          Debian minbase + openjdk-17-jre-headless (generator, trainer, gateway)
#   iterpref/base-jre-sandbox:bookworm  the same + python3, bubblewrap, tini, libseccomp2 (executor)
#   iterpref/base-postgres:bookworm     Debian minbase + postgresql (15) + deploy/postgres/debian-entrypoint.sh
# The Dockerfiles take them as the build argument BASE_IMAGE / POSTGRES_BASE_IMAGE (defaults: the public
# eclipse-temurin and postgres images); scripts/compose-smoke.sh passes these.
# Cache: each image carries the label org.iterpref.recipe, a hash of its recipe (RECIPE_VERSION below,
# the suite, the package lists and the files copied in); an image whose label matches is kept, any other
# is rebuilt. Bump RECIPE_VERSION when the way an image is built changes.
# Needs root (debootstrap, chroot) and a Docker engine. Idempotent.
# Environment: DEBIAN_SUITE (bookworm), DEBIAN_MIRROR (apt's own, else http://deb.debian.org/debian),
#              BASE_IMAGE_PREFIX (iterpref), FORCE_BASE_REBUILD=1 (ignore the cache).
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE="${DEBIAN_SUITE:-bookworm}"
PREFIX="${BASE_IMAGE_PREFIX:-iterpref}"
JRE_IMAGE="$PREFIX/base-jre:$SUITE"
SANDBOX_IMAGE="$PREFIX/base-jre-sandbox:$SUITE"
PG_IMAGE="$PREFIX/base-postgres:$SUITE"
# passwd: useradd/groupadd in the Dockerfiles; libgomp1: the trainer's libtorch (OpenMP)
JRE_PACKAGES="openjdk-17-jre-headless,passwd,libgomp1,ca-certificates"
SANDBOX_PACKAGES="python3 bubblewrap tini libseccomp2"
PG_PACKAGES="postgresql,passwd"
RECIPE_VERSION=1

say() { echo "base-images: $*"; }
fail() { echo "base-images: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and chroot)"
docker info >/dev/null 2>&1 || fail "no Docker engine answers (scripts/docker-engine.sh starts one)"
command -v debootstrap >/dev/null 2>&1 || {
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
} || fail "cannot install debootstrap"

# the Debian mirror apt already uses (same rule as scripts/docker-engine.sh)
mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -oE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)[a-z]+://[^[:space:]]+' \
    | grep -oE '[a-z]+://[^[:space:]]+' | grep -E '/debian/?$' | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

recipe_hash() { # name extra-files...
  local name=$1; shift
  { echo "$RECIPE_VERSION $name $SUITE"; echo "$JRE_PACKAGES|$SANDBOX_PACKAGES|$PG_PACKAGES"; cat "$@"; } \
    | sha256sum | cut -c1-16
}

is_current() { # image hash
  [ "${FORCE_BASE_REBUILD:-0}" != 1 ] || return 1
  [ "$(docker image inspect --format '{{ index .Config.Labels "org.iterpref.recipe" }}' "$1" 2>/dev/null)" = "$2" ]
}

# each build runs in its own subshell (the two run in parallel) with its own work directory
WORK=""
cleanup() { if [ -n "$WORK" ]; then umount -R "$WORK"/rootfs/proc 2>/dev/null || true; rm -rf "$WORK"; fi; }

debootstrap_tree() { # dir packages
  local log="$WORK/debootstrap.log" started=$SECONDS
  say "debootstrap --variant=minbase --include=$2 $SUITE from $(mirror) (a few minutes) ..."
  if ! debootstrap --variant=minbase --include="$2" "$SUITE" "$1" "$(mirror)" >"$log" 2>&1; then
    tail -n 30 "$log" >&2; fail "debootstrap failed"
  fi
  say "debootstrap done in $((SECONDS - started)) s"
}

trim_tree() { # dir
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
    "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/var/log/* "$1"/tmp/* "$1"/root/.cache
}

import_tree() { # dir image hash changes...
  local dir=$1 image=$2 hash=$3; shift 3
  local args=(--change "LABEL org.iterpref.recipe=$hash" --change 'ENV LANG=C.UTF-8')
  local c; for c in "$@"; do args+=(--change "$c"); done
  tar --numeric-owner -C "$dir" -c . | docker import "${args[@]}" - "$image" >/dev/null || fail "docker import $image"
  say "$image ready ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'), recipe $hash)"
}

build_jre() {
  WORK=$(mktemp -d /tmp/iterpref-base.XXXXXX)
  trap cleanup EXIT
  root="$WORK/rootfs"
  debootstrap_tree "$root" "$JRE_PACKAGES"
  [ -x "$root/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ] || ls "$root"/usr/lib/jvm/*/bin/java >/dev/null \
    || fail "no java in the tree"
  trim_tree "$root"
  java_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  import_tree "$root" "$JRE_IMAGE" "$jre_hash" "$java_env" 'CMD ["/bin/bash"]'
  # the executor's base: the same tree plus the sandbox's packages (apt in a chroot on the host's network)
  say "adding $SANDBOX_PACKAGES for $SANDBOX_IMAGE"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
    "apt-get update -qq && apt-get install -y -qq --no-install-recommends $SANDBOX_PACKAGES >/dev/null" \
    || fail "apt-get install $SANDBOX_PACKAGES in the chroot"
  umount "$root/proc"
  : >"$root/etc/resolv.conf"
  [ -x "$root/usr/bin/bwrap" ] && [ -x "$root/usr/bin/python3" ] || fail "no bwrap/python3 in the sandbox tree"
  trim_tree "$root"
  import_tree "$root" "$SANDBOX_IMAGE" "$jre_hash" "$java_env" 'CMD ["/bin/bash"]'
}

build_pg() {
  WORK=$(mktemp -d /tmp/iterpref-base.XXXXXX)
  trap cleanup EXIT
  root="$WORK/rootfs"
  debootstrap_tree "$root" "$PG_PACKAGES"
  pgbin=$(ls -d "$root"/usr/lib/postgresql/*/bin | head -n 1)
  [ -x "$pgbin/postgres" ] || fail "no postgres in the tree"
  pgbin=${pgbin#"$root"}
  # the package's own cluster (pg_createcluster at install) is not used: the entrypoint makes PGDATA
  rm -rf "$root"/var/lib/postgresql/* "$root"/etc/postgresql/*
  install -m 0755 deploy/postgres/debian-entrypoint.sh "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/docker-entrypoint-initdb.d" "$root/var/lib/postgresql/data"
  chroot "$root" chown postgres:postgres /var/lib/postgresql /var/lib/postgresql/data
  trim_tree "$root"
  import_tree "$root" "$PG_IMAGE" "$pg_hash" "ENV PATH=$pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    'ENV PGDATA=/var/lib/postgresql/data' 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    'CMD ["postgres"]' 'EXPOSE 5432' 'VOLUME /var/lib/postgresql/data'
}

pids=()
jre_hash=$(recipe_hash jre)
if is_current "$JRE_IMAGE" "$jre_hash" && is_current "$SANDBOX_IMAGE" "$jre_hash"; then
  say "$JRE_IMAGE and $SANDBOX_IMAGE are current (recipe $jre_hash)"
else
  (build_jre) & pids+=($!)
fi
pg_hash=$(recipe_hash postgres deploy/postgres/debian-entrypoint.sh)
if is_current "$PG_IMAGE" "$pg_hash"; then
  say "$PG_IMAGE is current (recipe $pg_hash)"
else
  (build_pg) & pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" -eq 0 ] || fail "a base image could not be built (see above)"
