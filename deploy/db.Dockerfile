# PostGIS with pgBackRest: WAL archiving from the database container into the backup volume.
# pgBackRest from Debian (bookworm), the same version as deploy/backup.Dockerfile's, whose
# service takes the backups into the same repository.
FROM postgis/postgis:15-3.4
RUN apt-get update && apt-get install -y --no-install-recommends -t bookworm pgbackrest \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /etc/pgbackrest /var/lib/pgbackrest \
    && chown postgres:postgres /var/lib/pgbackrest
COPY deploy/pgbackrest.conf /etc/pgbackrest/nezarat.conf.template
COPY deploy/db-pgbackrest.sh /usr/local/bin/nezarat-db-entrypoint.sh
ENTRYPOINT ["nezarat-db-entrypoint.sh"]
CMD ["postgres"]
