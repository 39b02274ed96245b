#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, one per checkout.
#   scripts/postgres.sh start         -> starts it (if needed), prints postgresql+asyncpg://... on stdout
#   scripts/postgres.sh stop          -> stops it
#   scripts/postgres.sh run CMD ARGS  -> runs CMD with TEST_DATABASE_URL set, then stops the server
#                                        if this call started it (a server already running is kept)
# The folder and port belong to this checkout: the folder is named after a hash of the checkout's
# path, the port is derived from the same hash (the next free one when another program holds it)
# and remembered in the folder, so two checkouts never share or stop each other's server.
# PGROOT and PGPORT override them. Installs PostgreSQL from the system's packages when it is
# missing (needs root, as in CI).
set -euo pipefail
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd -P)
KEY=$(printf '%s' "$CHECKOUT" | cksum | cut -d' ' -f1)
PGROOT=${PGROOT:-/tmp/hackbot-pg-$KEY}
DB=hackbot_test

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

runas() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -n "${BIN:-}" ] && runas "$BIN/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

choose_port() {
  if [ -n "${PGPORT:-}" ]; then echo "$PGPORT"; return 0; fi
  if [ -s "$PGROOT/port" ] && ! port_taken "$(cat "$PGROOT/port")"; then
    cat "$PGROOT/port"; return 0
  fi
  local port=$((20000 + KEY % 20000)) tries=0
  while port_taken "$port"; do
    port=$((port + 1)); tries=$((tries + 1))
    [ "$tries" -lt 200 ] || { echo "no free port near $((port - tries))" >&2; return 1; }
  done
  echo "$port"
}

start() {
  if ! BIN=$(find_bin); then
    echo "installing PostgreSQL from the system's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    BIN=$(find_bin)
  fi
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  fi
  if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
    mkdir -p "$PGROOT"; [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
    runas "$BIN/initdb" -D "$PGROOT/data" -U hackbot --auth=trust -E UTF8 >/dev/null
  fi
  STARTED=0
  if running; then
    PORT=$(sed -n 4p "$PGROOT/data/postmaster.pid")
  else
    PORT=$(choose_port)
    runas "$BIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w \
      -o "-p $PORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
    STARTED=1
  fi
  echo "$PORT" >"$PGROOT/port"
  "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U hackbot -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 ||
    "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U hackbot "$DB"
  URL="postgresql+asyncpg://hackbot@127.0.0.1:$PORT/$DB"
}

stop() {
  BIN=$(find_bin) || return 0
  [ -f "$PGROOT/data/PG_VERSION" ] || return 0
  runas "$BIN/pg_ctl" -D "$PGROOT/data" -m fast stop >&2 || true
}

case "${1:-start}" in
  start)
    start
    echo "$URL"
    ;;
  stop) stop ;;
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }
    start
    if [ "$STARTED" = 1 ]; then trap 'stop' EXIT; fi
    TEST_DATABASE_URL="$URL" "$@"
    ;;
  *) echo "usage: $0 start|stop|run CMD [ARGS...]" >&2; exit 2 ;;
esac
