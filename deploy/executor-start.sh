#!/bin/bash
# The executor image's entrypoint: java under tini as the image's user `iterpref` (uid 10001).
#
# Started as that user (Kubernetes with procMount: Unmasked, `docker run --security-opt
# systempaths=unconfined`, the Docker backend): execs tini and java at once.
#
# Started as root (docker-compose.yml: docker-compose 1.x cannot pass systempaths=unconfined, so the
# container starts as root with CAP_SYS_ADMIN, SETUID, SETGID and SETPCAP only): first unmounts
# Docker's masks under /proc (/proc/kcore, /proc/sys, ... overmounted with /dev/null, tmpfs or
# read-only binds; the kernel refuses bubblewrap a fresh /proc for a sandbox's pid namespace while
# locked mounts cover parts of the container's /proc: the effect of systempaths=unconfined), then
# becomes uid 10001 with NO capabilities left, not even in the bounding set, and no_new_privs, so
# nothing the executor or a sandbox runs can regain them. Only this script runs as root.
set -euo pipefail
app=(/usr/bin/tini -- java -jar /app/app.jar "$@")
if [ "$(id -u)" != 0 ]; then
  exec "${app[@]}"
fi
# deepest first; a mount point's spaces are octal escapes in mountinfo (none under /proc)
while read -r mountpoint; do
  umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint" \
    || echo "executor-start: cannot unmount $mountpoint (CAP_SYS_ADMIN, apparmor=unconfined?): bubblewrap may fail" >&2
done < <(awk '$5 ~ "^/proc/." {print $5}' /proc/self/mountinfo | sort -r)
exec setpriv --reuid=iterpref --regid=iterpref --init-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs "${app[@]}"
