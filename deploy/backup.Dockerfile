# The backup service of docker-compose.yml: the database's base image (PostgreSQL 15, PostGIS
# 3.4, the postgres user, uid 999, that owns the data) with the same pgBackRest as
# deploy/db.Dockerfile and Nezarat's Python code, so that `flask ops backup`, `sync-photos` and
# the restore drill (a scratch cluster of the same PostgreSQL and PostGIS) run beside the
# database's volumes.
FROM postgis/postgis:15-3.4
RUN apt-get update && apt-get install -y --no-install-recommends -t bookworm pgbackrest \
    && apt-get install -y --no-install-recommends python3 python3-venv libturbojpeg0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .
COPY . .
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
ENTRYPOINT []
CMD ["deploy/backup-loop.sh"]
