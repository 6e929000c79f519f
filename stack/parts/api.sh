# stack/parts/api.sh: the feed API server (api/, built into
# build/bin/feed-api), the one part of the stack that is ours.
# shellcheck shell=bash

: "${FEED_API_BIN:=$FEED_HOME/build/bin/feed-api}"

api_url() { printf 'http://%s:%s' "$FEED_HOST" "$FEED_API_PORT"; }

api_ports() { printf '%s\n' "$FEED_API_PORT"; }

# The secret that signs tokens and cursors: made once per stack, kept
# under its data folder so tokens survive restarts of the API.
api_secret_file() { printf '%s' "${FEED_API_SECRET_FILE:-$FEED_DATA/api/secret}"; }

api_init() {
  [ -x "$FEED_API_BIN" ] || feed_die "api: $FEED_API_BIN missing; run 'make build'"
  mkdir -p "$FEED_LOGS" "$FEED_DATA/api"
  local f; f=$(api_secret_file)
  if [ ! -s "$f" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$f") ||
      feed_die "api: cannot write the secret file $f"
  fi
}

api_start() {
  part_launch api env FEED_PG_DSN="$(feed_pg_dsn)" \
    FEED_REDIS_ADDR="${FEED_REDIS_ADDR:-$FEED_HOST:$FEED_REDIS_PORT}" \
    FEED_CASSANDRA_CONTACT_POINTS="$(cassandra_contact_points)" \
    FEED_CASSANDRA_CONSISTENCY="$FEED_CASSANDRA_CONSISTENCY" \
    FEED_API_SECRET_FILE="$(api_secret_file)" \
    FEED_API_WWW_DIR="${FEED_API_WWW_DIR:-$FEED_HOME/api/www}" \
    "$FEED_API_BIN" --listen "$FEED_HOST:$FEED_API_PORT"
}

api_ready() { curl -fsS -o /dev/null --max-time 2 "$(api_url)/healthz"; }
