#!/usr/bin/env bash
# Set up a Debian PostgreSQL cluster for pgBackRest (issue 13), as `make run` does after `db`:
#   - the repository passphrase, generated once into var/backup-passphrase (mode 600);
#   - the pgBackRest configuration rendered from deploy/pgbackrest.conf (`flask ops
#     pgbackrest-config`) into $PGBACKREST_CONFIG;
#   - WAL archiving: a conf.d file (wal_level, archive_mode=on, archive_command from
#     server/ops/pgbackrest.py, archive_timeout) and the passphrase, with every other
#     PGBACKREST_REPO1_* setting of the environment (an S3 bucket), in the cluster's
#     `environment` file, for archive-push; the cluster restarted once, only when needed;
#   - the stanza created and checked (pgbackrest check: a WAL segment really reaches the
#     repository).
# Idempotent: a second run changes nothing, restarts nothing, and takes a few seconds.
#
# --before-restore (a new server taking over an existing repository, README "Restore after
# losing the server"): the configuration files only (pgBackRest's, the conf.d file, the
# passphrase in the cluster's environment, which must then be the saved one); no restart, no
# stanza-create or check: the new cluster is not the one the repository belongs to until the
# restore. Run the script again without it after the restore.
#
# Which cluster, through the environment (defaults: Debian's 15/main, the `make run` one):
#   PG_VERSION=15 PG_CLUSTER=main PGPORT=<the cluster's port>
#   PG_DATA=/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER PG_CONF_DIR=/etc/postgresql/$PG_VERSION/$PG_CLUSTER
#   PG_SOCKET=/var/run/postgresql
#   PGBACKREST_CONFIG=/etc/pgbackrest/nezarat.conf PGBACKREST_STANZA=nezarat
#   BACKUP_REPO_PATH=/var/lib/pgbackrest (a folder; for S3 see deploy/pgbackrest.conf)
#   BACKUP_LOCK_PATH=/tmp/pgbackrest BACKUP_LOG_PATH=/var/log/pgbackrest BACKUP_SPOOL_PATH=/var/spool/pgbackrest
#   (not PGBACKREST_*: pgBackRest reads those as its own options)
#   BACKUP_PASSPHRASE_FILE=var/backup-passphrase ARCHIVE_TIMEOUT=60
# Not as root (a private .pgdata cluster): nothing is done, the README says how to do it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
before_restore=no
if [[ "${1:-}" == --before-restore ]]; then before_restore=yes; fi

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PG_CONF_DIR="${PG_CONF_DIR:-/etc/postgresql/$PG_VERSION/$PG_CLUSTER}"
PG_DATA="${PG_DATA:-/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER}"
PG_SOCKET="${PG_SOCKET:-/var/run/postgresql}"
export PGBACKREST_CONFIG="${PGBACKREST_CONFIG:-/etc/pgbackrest/nezarat.conf}"
export PGBACKREST_STANZA="${PGBACKREST_STANZA:-nezarat}"
REPO_PATH="${BACKUP_REPO_PATH:-/var/lib/pgbackrest}"
LOCK_PATH="${BACKUP_LOCK_PATH:-/tmp/pgbackrest}"
LOG_PATH="${BACKUP_LOG_PATH:-/var/log/pgbackrest}"
SPOOL_PATH="${BACKUP_SPOOL_PATH:-/var/spool/pgbackrest}"
PASSPHRASE_FILE="${BACKUP_PASSPHRASE_FILE:-var/backup-passphrase}"
ARCHIVE_TIMEOUT="${ARCHIVE_TIMEOUT:-60}"
PYTHON="${PYTHON:-.venv/bin/python}"
say() { echo "[backups] $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "not root: WAL archiving not set up (see the README, operations: backups without root)"
  exit 0
fi
if ! command -v pgbackrest >/dev/null; then
  say "installing pgbackrest with apt (once)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null
fi
if [[ ! -f "$PG_CONF_DIR/postgresql.conf" ]]; then
  say "no Debian cluster $PG_VERSION/$PG_CLUSTER ($PG_CONF_DIR): nothing to do"
  exit 0
fi
PGPORT="${PGPORT:-$(awk -F= '/^port/ {gsub(/[ \t]|#.*/, "", $2); print $2}' "$PG_CONF_DIR/postgresql.conf")}"
psql_su() { runuser -u postgres -- psql -X -q -tA -v ON_ERROR_STOP=1 -h "$PG_SOCKET" -p "$PGPORT" -d postgres "$@"; }

if [[ "$before_restore" == yes && ! -s "${BACKUP_PASSPHRASE_FILE:-var/backup-passphrase}" ]]; then
  say "--before-restore: put the repository's saved passphrase into ${BACKUP_PASSPHRASE_FILE:-var/backup-passphrase} first"
  exit 1
fi

# 1. The passphrase: made once, kept beside the app (copy it somewhere safe: without it the
#    backups cannot be read). Never on a command line.
if [[ ! -s "$PASSPHRASE_FILE" ]]; then
  say "generating the backup passphrase into $PASSPHRASE_FILE (keep a copy off this server)"
  mkdir -p "$(dirname "$PASSPHRASE_FILE")"
  (umask 077 && "$PYTHON" -c "import secrets; print(secrets.token_urlsafe(48))" > "$PASSPHRASE_FILE")
fi
chmod 600 "$PASSPHRASE_FILE"
PGBACKREST_REPO1_CIPHER_PASS="$(cat "$PASSPHRASE_FILE")"
export PGBACKREST_REPO1_CIPHER_PASS

# 2. pgBackRest's configuration, from the template the restore drill proves.
install -d -m 750 -o postgres -g postgres "$REPO_PATH" "$LOG_PATH" "$SPOOL_PATH" "$LOCK_PATH"
install -d -m 755 "$(dirname "$PGBACKREST_CONFIG")"
rendered="$(PYTHONPATH="$PWD" "$PYTHON" -m flask --app server ops pgbackrest-config \
  --pg-path "$PG_DATA" --pg-port "$PGPORT" --pg-socket "$PG_SOCKET" --repo-path "$REPO_PATH" \
  --lock-path "$LOCK_PATH" --log-path "$LOG_PATH" --spool-path "$SPOOL_PATH")"
archive_command="$(sed -n "s/^# archive_command = '\(.*\)'$/\1/p" <<<"$rendered")"
[[ -n "$archive_command" ]] || { say "could not read the archive_command"; exit 1; }
if [[ ! -f "$PGBACKREST_CONFIG" ]] || [[ "$(cat "$PGBACKREST_CONFIG")" != "$rendered" ]]; then
  say "writing $PGBACKREST_CONFIG"
  printf '%s\n' "$rendered" > "$PGBACKREST_CONFIG"
fi
chown root:postgres "$PGBACKREST_CONFIG"
chmod 640 "$PGBACKREST_CONFIG"

# 3. WAL archiving, and the passphrase in the server's environment (for archive-push).
restart=no
conf="$PG_CONF_DIR/conf.d/nezarat-backups.conf"
wanted_conf="# Written by scripts/provision-backups.sh: WAL archiving into pgBackRest's repository.
wal_level = replica
archive_mode = on
archive_command = '$archive_command'
# A partly filled WAL segment is archived after this many seconds: the worst-case data loss.
archive_timeout = $ARCHIVE_TIMEOUT
max_wal_senders = 3"
if [[ ! -f "$conf" ]] || [[ "$(cat "$conf")" != "$wanted_conf" ]]; then
  say "writing $conf"
  install -d -m 755 -o postgres -g postgres "$PG_CONF_DIR/conf.d"
  printf '%s\n' "$wanted_conf" > "$conf"
  chown postgres:postgres "$conf"
fi
environment="$PG_CONF_DIR/environment"
# Every repository setting of this environment (the passphrase; for a bucket PGBACKREST_REPO1_TYPE,
# PGBACKREST_REPO1_S3_*): archive-push must write where the backups go.
wanted_env="$(env | grep '^PGBACKREST_REPO1_' | sort | while IFS='=' read -r name value; do
  printf "%s = '%s'\n" "$name" "$value"; done)"
current_env="$(grep '^PGBACKREST_REPO1_' "$environment" 2>/dev/null || true)"
if [[ "$current_env" != "$wanted_env" ]]; then  # compared here, never put in argv
  say "putting the repository's settings (passphrase$( [[ $(wc -l <<<"$wanted_env") -gt 1 ]] && echo ' and others')) into $environment"
  touch "$environment"
  tmp="$(mktemp)"
  grep -v '^PGBACKREST_REPO1_' "$environment" > "$tmp" || true
  printf '%s\n' "$wanted_env" >> "$tmp"
  cat "$tmp" > "$environment" && rm -f "$tmp"
  restart=yes  # the server's environment is read only when it starts
fi
chown root:postgres "$environment"
chmod 640 "$environment"

if [[ "$before_restore" == yes ]]; then
  say "configuration written; now stop PostgreSQL, restore, start it, and run this script again"
  exit 0
fi

if [[ "$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" | awk '{print $4}')" != "online" ]]; then
  say "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  restart=no
fi
current="$(psql_su -c "select current_setting('archive_mode') || '|' || current_setting('wal_level')")"
if [[ "$current" != "on|replica" && "$current" != "on|logical" ]]; then
  restart=yes
fi
if [[ "$restart" == yes ]]; then
  say "restarting PostgreSQL $PG_VERSION/$PG_CLUSTER once (archive_mode, environment)"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
else
  psql_su -c "select pg_reload_conf()" >/dev/null  # archive_command/archive_timeout: a reload
fi

# 4. The stanza, and proof that archiving works (check pushes a WAL segment and waits for it).
pgbr() { runuser -u postgres -- pgbackrest --config="$PGBACKREST_CONFIG" --stanza="$PGBACKREST_STANZA" "$@"; }
pgbr stanza-create >/dev/null
if ! pgbr check >/dev/null; then
  say "pgbackrest check failed: WAL archiving does not reach the repository"
  pgbr check || true
  exit 1
fi
say "WAL archiving to $REPO_PATH checked (stanza $PGBACKREST_STANZA); back up with: make backup (a server: nezarat ops backup)"
