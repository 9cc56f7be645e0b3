#!/bin/sh
# Render the pgBackRest configuration for the container's cluster (the same template the drill
# proves) and create the stanza on the first start. The backup sidecar takes the backups.
set -e
sed -e "s#\$repo_path#/var/lib/pgbackrest#" -e "s#\$pg_path#$PGDATA#" -e "s#\$pg_port#5432#" \
    -e "s#\$pg_socket#/var/run/postgresql#" -e "s#\$stanza#nezarat#" -e "s#\$lock_path#/tmp/pgbackrest#" \
    -e "s#\$log_path#/var/log/pgbackrest#" -e "s#\$log_level_file#off#" -e "s#\$spool_path#/tmp/pgbackrest-spool#" \
    /etc/pgbackrest/nezarat.conf.template > /etc/pgbackrest/nezarat.conf 2>/dev/null || true
pgbackrest --config=/etc/pgbackrest/nezarat.conf --stanza=nezarat stanza-create || true
