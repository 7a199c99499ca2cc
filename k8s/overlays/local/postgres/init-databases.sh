#!/bin/bash
# Runs once, when the PostgreSQL volume is empty (docker-entrypoint-initdb.d): one server, a
# database and an owner per service. The passwords come from the container's environment.
set -euo pipefail
for svc in generator gateway trainer; do
  var="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  pw="${!var:?$var is not set}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v svc="$svc" -v pw="$pw" <<'SQL'
CREATE ROLE :"svc" LOGIN PASSWORD :'pw';
CREATE DATABASE :"svc" OWNER :"svc";
REVOKE ALL ON DATABASE :"svc" FROM PUBLIC;
SQL
done
