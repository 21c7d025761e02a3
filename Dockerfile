# syntax=docker/dockerfile:1
# stravasync's image: `docker build -t stravasync .` (compose.yaml builds it too).
# Stage 1 builds a virtual environment with stravasync and its export extra (DuckDB, Parquet);
# stage 2 copies only that environment onto a slim Python, runs as an unprivileged user and
# keeps everything it writes (SQLite database, token key file, warehouse) in the /data volume.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/stravasync
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/stravasync/bin/pip install --no-cache-dir ".[export]" \
    && /opt/stravasync/bin/stravasync --version

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 stravasync \
    && useradd --system --uid 10001 --gid stravasync --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin stravasync \
    && mkdir -p /data \
    && chown stravasync:stravasync /data
COPY --from=build /opt/stravasync /opt/stravasync
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/stravasync-entrypoint
ENV PATH=/opt/stravasync/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STRAVASYNC_DATABASE_URL=sqlite:////data/stravasync.db \
    STRAVASYNC_KEY_FILE=/data/secret.key \
    STRAVASYNC_EXPORT_WAREHOUSE=/data/warehouse.duckdb
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8721
# /healthz answers 200 while the process serves HTTP (readiness, with the database, is /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8721/healthz', timeout=4)"]
ENTRYPOINT ["stravasync-entrypoint"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8721"]
