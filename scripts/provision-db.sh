#!/usr/bin/env bash
# Make a PostGIS database available and print nothing but progress.
#
#   scripts/provision-db.sh DBNAME [DBNAME ...]
#
# - With DATABASE_URL set (or TEST_DATABASE_URL for test databases), that server is used as it is:
#   we only check that it answers and that PostGIS is there.
# - Otherwise a local PostgreSQL 15 + PostGIS is made available: the PostGIS package is installed
#   with apt when missing (as root; otherwise the exact command is printed), a server is started
#   as an unprivileged user if none listens on $PGPORT (default 5432), and the role and databases
#   are created with the postgis extension.
# Idempotent: a second run changes nothing and takes well under a second.
set -euo pipefail

PG_VERSION=15
PGPORT="${PGPORT:-5432}"
DB_USER="${DB_USER:-nezarat}"
DB_PASSWORD="${DB_PASSWORD:-nezarat}"
say() { echo "[db] $*" >&2; }

if [[ $# -eq 0 ]]; then
  set -- nezarat
fi

external_url=""
if [[ -n "${DATABASE_URL:-}" && "${1}" != *_test* ]]; then external_url="$DATABASE_URL"; fi
if [[ -n "${TEST_DATABASE_URL:-}" && "${1}" == *_test* ]]; then external_url="$TEST_DATABASE_URL"; fi
if [[ -n "$external_url" ]]; then
  plain_url="${external_url/postgresql+psycopg:/postgresql:}"
  if ! psql "$plain_url" -tAc "select postgis_version()" >/dev/null 2>&1; then
    say "cannot reach PostGIS at the configured database URL (or the postgis extension is missing)."
    say "create it there with: CREATE EXTENSION postgis;"
    exit 1
  fi
  say "using the configured database server"
  exit 0
fi

bindir="/usr/lib/postgresql/${PG_VERSION}/bin"
postgis_control="/usr/share/postgresql/${PG_VERSION}/extension/postgis.control"

# 1. packages -------------------------------------------------------------------------------
if [[ ! -x "$bindir/postgres" || ! -f "$postgis_control" ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing PostgreSQL ${PG_VERSION} + PostGIS 3 with apt (once)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq "postgresql-${PG_VERSION}" "postgresql-${PG_VERSION}-postgis-3" >/dev/null
  else
    say "PostGIS is not installed. Run as root:"
    say "  apt-get install -y postgresql-${PG_VERSION} postgresql-${PG_VERSION}-postgis-3"
    say "or start the database of docker-compose.yml and set DATABASE_URL:"
    say "  docker compose up -d db"
    exit 1
  fi
fi

# 2. a server listening on 127.0.0.1:$PGPORT -----------------------------------------------
listening() { "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; }

as_superuser() {
  # psql as the cluster's superuser, over the local socket
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PGPORT" "$@"
  else
    psql -X -q -v ON_ERROR_STOP=1 -h "${PGHOST_DIR:-$PWD/.pgdata/run}" -p "$PGPORT" -U "$USER" "$@"
  fi
}

if ! listening; then
  if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root: use Debian's cluster, owned by the postgres user.
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "${PG_VERSION}/main"; then
      say "creating the PostgreSQL cluster ${PG_VERSION}/main"
      pg_createcluster -p "$PGPORT" "$PG_VERSION" main >/dev/null
    fi
    say "starting PostgreSQL ${PG_VERSION}/main (as the postgres user)"
    pg_ctlcluster "$PG_VERSION" main start
  else
    datadir="$PWD/.pgdata/data"; rundir="$PWD/.pgdata/run"
    mkdir -p "$rundir"
    if [[ ! -f "$datadir/PG_VERSION" ]]; then
      say "initialising a private cluster in .pgdata/"
      "$bindir/initdb" -D "$datadir" -U "$USER" --auth=trust >/dev/null
    fi
    say "starting a private PostgreSQL on 127.0.0.1:${PGPORT}"
    "$bindir/pg_ctl" -D "$datadir" -l "$PWD/.pgdata/server.log" -w \
      -o "-p $PGPORT -k $rundir -c listen_addresses=127.0.0.1" start >/dev/null
    export PGHOST_DIR="$rundir"
  fi
  for _ in $(seq 1 30); do listening && break; sleep 0.5; done
  listening || { say "PostgreSQL did not start"; exit 1; }
fi

# 3. role, databases, extensions ------------------------------------------------------------
role_exists=$(as_superuser -tAc "select 1 from pg_roles where rolname = '${DB_USER}'" postgres)
if [[ "$role_exists" != "1" ]]; then
  say "creating role ${DB_USER}"
  as_superuser -c "create role ${DB_USER} login createdb password '${DB_PASSWORD}'" postgres
fi
for db in "$@"; do
  db_exists=$(as_superuser -tAc "select 1 from pg_database where datname = '${db}'" postgres)
  if [[ "$db_exists" != "1" ]]; then
    say "creating database ${db}"
    as_superuser -c "create database ${db} owner ${DB_USER}" postgres
  fi
  has_postgis=$(as_superuser -tAc "select 1 from pg_extension where extname = 'postgis'" "$db")
  if [[ "$has_postgis" != "1" ]]; then
    say "enabling PostGIS in ${db}"
    as_superuser -c "create extension if not exists postgis; create extension if not exists pg_trgm;" "$db"
  fi
done
say "PostGIS ready on 127.0.0.1:${PGPORT} ($*)"
