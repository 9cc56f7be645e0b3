#!/bin/sh
# The compose database's entrypoint: render pgBackRest's configuration for this container's
# cluster from deploy/pgbackrest.conf (the template the restore drill proves) at every start
# (the container's own files do not outlive it), then hand over to the image's entrypoint.
# archive_command (docker-compose.yml) reads this file; the backup service makes the stanza.
set -e
install -d -o postgres -g postgres /var/lib/pgbackrest /var/log/pgbackrest /tmp/pgbackrest \
    /tmp/pgbackrest-spool
sed -e "s#\$repo_path#/var/lib/pgbackrest#" -e "s#\$pg_path#$PGDATA#" -e "s#\$pg_port#5432#" \
    -e "s#\$pg_socket#/var/run/postgresql#" -e "s#\$stanza#nezarat#" -e "s#\$lock_path#/tmp/pgbackrest#" \
    -e "s#\$log_path#/var/log/pgbackrest#" -e "s#\$log_level_file#off#" -e "s#\$spool_path#/tmp/pgbackrest-spool#" \
    /etc/pgbackrest/nezarat.conf.template > /etc/pgbackrest/nezarat.conf
chown root:postgres /etc/pgbackrest/nezarat.conf
chmod 640 /etc/pgbackrest/nezarat.conf
exec docker-entrypoint.sh "$@"
