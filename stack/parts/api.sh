# stack/parts/api.sh: the feed API server (api/, built into
# build/bin/feed-api), the one part of the stack that is ours.
# shellcheck shell=bash

: "${FEED_API_BIN:=$FEED_HOME/build/bin/feed-api}"

api_url() { printf 'http://%s:%s' "$FEED_HOST" "$FEED_API_PORT"; }

api_ports() { printf '%s\n' "$FEED_API_PORT"; }

api_init() {
  [ -x "$FEED_API_BIN" ] || feed_die "api: $FEED_API_BIN missing; run 'make build'"
  mkdir -p "$FEED_LOGS"
}

api_start() {
  part_launch api env FEED_PG_DSN="$(feed_pg_dsn)" \
    FEED_REDIS_ADDR="${FEED_REDIS_ADDR:-$FEED_HOST:$FEED_REDIS_PORT}" \
    FEED_CASSANDRA_CONTACT_POINTS="${FEED_CASSANDRA_CONTACT_POINTS:-$FEED_HOST:$FEED_CASSANDRA_PORT}" \
    "$FEED_API_BIN" --listen "$FEED_HOST:$FEED_API_PORT"
}

api_ready() { curl -fsS -o /dev/null --max-time 2 "$(api_url)/healthz"; }
