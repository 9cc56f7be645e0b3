#!/bin/sh
# The compose deployment's backup service (deploy/backup.Dockerfile, as root; pgBackRest runs as
# the postgres user, uid 999 as in the database's image, on the database's volumes): what the
# systemd timers do on a Debian server, with the same commands.
#   - pgBackRest's configuration rendered by `flask ops pgbackrest-config` (the template the
#     restore drill proves), the stanza created (idempotent);
#   - a full backup at once when the repository has none;
#   - every night after 02:30 `flask ops backup` (full on Sundays, differential otherwise):
#     photos, then the database with the audit head noted, then the status /healthz reads;
#   - every 5 minutes `flask ops sync-photos`.
set -eu
flask="flask --app server"
install -d -o postgres -g postgres /var/log/pgbackrest /tmp/pgbackrest /tmp/pgbackrest-spool
install -d /etc/pgbackrest
$flask ops pgbackrest-config --pg-path /var/lib/postgresql/data --pg-port 5432 \
  --pg-socket /var/run/postgresql --repo-path /var/lib/pgbackrest --lock-path /tmp/pgbackrest \
  --log-path /var/log/pgbackrest --spool-path /tmp/pgbackrest-spool > "$PGBACKREST_CONFIG"
chown root:postgres "$PGBACKREST_CONFIG" && chmod 640 "$PGBACKREST_CONFIG"
runuser -u postgres -- pgbackrest --config="$PGBACKREST_CONFIG" --stanza="$PGBACKREST_STANZA" \
  stanza-create
if ! $flask ops backups | grep -q ' full '; then
  $flask ops backup --type full
fi
done_on=$(date +%F)
while :; do
  if [ "$(date +%H%M)" -ge 0230 ] && [ "$(date +%F)" != "$done_on" ]; then
    if [ "$(date +%u)" = 7 ]; then t=full; else t=diff; fi
    $flask ops backup --type "$t" && done_on=$(date +%F)
  fi
  $flask ops sync-photos || true
  sleep 300
done
