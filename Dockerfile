# The app served by uvicorn; DATABASE_URL (postgres://…) comes from the environment,
# migrations run at start, /healthz is the health check, and it runs as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    INCUBATOR_VAR_DIR=/app/var

WORKDIR /app
# PDFs of bills and receipts (WeasyPrint): pango, HarfBuzz's font subsetter and a CJK font for Chinese;
# pg_dump/pg_restore for `incubator backup` and `restore` on PostgreSQL (15, the server's major version).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-wqy-microhei postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir "uv>=0.13,<0.14"

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY incubator ./incubator
COPY tenants ./tenants
COPY grants ./grants
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN uv sync --frozen --no-dev \
    && useradd --system --uid 10001 --home-dir /app incubator \
    && mkdir -p /app/var \
    && chown incubator /app/var

USER incubator
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["/app/.venv/bin/incubator", "serve", "--host", "0.0.0.0", "--port", "8000"]
