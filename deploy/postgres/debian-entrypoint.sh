#!/bin/bash
# Entrypoint of the PostgreSQL base image built from Debian's packages (scripts/compose-base-images.sh),
# a small stand-in for the official postgres image's docker-entrypoint.sh with the same contract:
#   - POSTGRES_USER (postgres) and POSTGRES_PASSWORD (required) for the superuser, PGDATA
#     (/var/lib/postgresql/data);
#   - on an empty data directory: initdb (scram-sha-256 over TCP, trust only on the local socket),
#     then every /docker-entrypoint-initdb.d/*.sh (sourced in a child bash, as the official image
#     does; deploy/postgres/init-databases.sh makes one database and role per service) and *.sql
#     through psql on the socket against a temporary server that listens on no TCP port;
#   - then execs postgres (listen_addresses='*') as the postgres user, so it gets the signals.
set -euo pipefail
shopt -s nullglob

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
run_as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /var/run/postgresql
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then run_as_postgres "$@"; else "$@"; fi; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set for a new database}"
  echo "entrypoint: initdb in $PGDATA"
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" \
    -w -t 60 start >/dev/null
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)  echo "entrypoint: running $f"; as_postgres env PGHOST=/var/run/postgresql bash "$f" ;;
      *.sql) echo "entrypoint: running $f"; as_postgres psql -v ON_ERROR_STOP=1 -h /var/run/postgresql \
               --username "$POSTGRES_USER" --dbname postgres -f "$f" ;;
      *)     echo "entrypoint: ignoring $f" ;;
    esac
  done
  as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "entrypoint: database initialised"
fi

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" = postgres ]; then
  shift
  set -- postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "$@"
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"; fi
fi
exec "$@"
