FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm libturbojpeg0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-noto-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
RUN pip install --no-cache-dir .
COPY . .
RUN npm ci --no-audit --no-fund && python scripts/vendor.py \
    && pybabel compile -d server/translations && flask --app server assets build \
    && flask --app server compress-static
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
