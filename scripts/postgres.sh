#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and print its URL.
#   scripts/postgres.sh start   -> prints postgresql+asyncpg://... on stdout
#   scripts/postgres.sh stop
# Installs PostgreSQL from the system's packages when it is missing (needs root, as in CI).
set -euo pipefail
PGROOT=${PGROOT:-/tmp/hackbot-pg}
PGPORT=${PGPORT:-54329}
find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}
case "${1:-start}" in
  start)
    if ! BIN=$(find_bin); then
      echo "installing PostgreSQL from the system's packages..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
      BIN=$(find_bin)
    fi
    RUNAS=()
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      RUNAS=(runuser -u postgres --)
    fi
    if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
      mkdir -p "$PGROOT"; [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
      "${RUNAS[@]}" "$BIN/initdb" -D "$PGROOT/data" -U hackbot --auth=trust -E UTF8 >/dev/null
    fi
    if ! "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; then
      "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w \
        -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
    fi
    "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U hackbot -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='hackbot_test'" | grep -q 1 ||
      "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U hackbot hackbot_test
    echo "postgresql+asyncpg://hackbot@127.0.0.1:$PGPORT/hackbot_test"
    ;;
  stop)
    BIN=$(find_bin) || exit 0
    RUNAS=(); [ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)
    "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGROOT/data" -m fast stop >&2 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
