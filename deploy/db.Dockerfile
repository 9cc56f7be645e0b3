# PostGIS with pgBackRest: WAL archiving from the database container into the backup volume.
FROM postgis/postgis:15-3.4
RUN apt-get update && apt-get install -y --no-install-recommends pgbackrest \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /etc/pgbackrest /var/lib/pgbackrest \
    && chown postgres:postgres /var/lib/pgbackrest
COPY deploy/pgbackrest.conf /etc/pgbackrest/nezarat.conf.template
COPY deploy/db-pgbackrest.sh /docker-entrypoint-initdb.d/zz-pgbackrest.sh
