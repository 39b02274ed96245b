# syntax=docker/dockerfile:1
# Multi-stage build: wheels are built in the first stage, the runtime stage has no compiler.
# The image installs hackbot without the `sandbox` extra (and without the sandbox/ package):
# `hackbot run`, `check-config`, `db upgrade` and `health` need neither.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY jobs ./jobs
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/hackbot.db
RUN useradd --create-home --uid 10001 hackbot \
    && mkdir -p /data && chown hackbot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY config.toml ./
USER 10001
VOLUME ["/data"]
# `hackbot run` applies migrations, then starts the bot.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["hackbot", "health"]
CMD ["hackbot", "run"]
