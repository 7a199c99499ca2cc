#!/bin/bash
# Container healthcheck without curl, wget or a JVM: one HTTP/1.1 GET over bash's /dev/tcp.
# Usage: iterpref-healthcheck PORT [PATH]   (PATH: /actuator/health/readiness)
# Exit 0 on a 200 answer within 4 s, else 1 (the status line or the reason on stdout, for `docker inspect`).
port="${1:?usage: iterpref-healthcheck PORT [PATH]}"
path="${2:-/actuator/health/readiness}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "no connection to port $port"; exit 1; }
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
IFS= read -r -t 4 status <&3 || { echo "no answer on port $port"; exit 1; }
status="${status%$'\r'}"
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "$path: $status"; exit 1 ;;
esac
