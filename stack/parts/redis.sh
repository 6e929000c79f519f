# stack/parts/redis.sh: our own Redis 7 instance (Debian's redis-server),
# the cache of feed heads. Its data is a cache and it starts EMPTY every
# time: no snapshot, no append-only file. A snapshot would be worse than
# nothing: after a kill -9, Redis would load heads up to minutes old, and
# the job (whose checkpoint is newer) would never replay what they miss,
# so a cached head would stay wrong until it expired. Empty, every head is
# a miss that the API fills from Cassandra, which is always complete.
# shellcheck shell=bash

: "${FEED_REDIS_SERVER:=/usr/bin/redis-server}"
: "${FEED_REDIS_MAXMEMORY:=512mb}"

redis_ports() { printf '%s\n' "$FEED_REDIS_PORT"; }

redis_init() {
  [ -x "$FEED_REDIS_SERVER" ] || feed_die "redis: $FEED_REDIS_SERVER not found; run 'make install' (Debian package redis-server)"
  mkdir -p "$FEED_DATA/redis" "$FEED_LOGS" "$FEED_RUN"
}

redis_start() {
  # Feeds are bounded windows with idle expiry; under memory pressure the
  # least recently used key goes first, and a miss falls back to Cassandra.
  rm -f "$FEED_DATA/redis/dump.rdb" # left by an older version of this script
  part_launch redis "$FEED_REDIS_SERVER" \
    --bind "$FEED_HOST" --port "$FEED_REDIS_PORT" --protected-mode yes \
    --dir "$FEED_DATA/redis" --save "" \
    --appendonly no --daemonize no --logfile "" --loglevel notice \
    --maxmemory "$FEED_REDIS_MAXMEMORY" --maxmemory-policy allkeys-lru
}

redis_cli() { redis-cli -h "$FEED_HOST" -p "$FEED_REDIS_PORT" "$@"; }

redis_ready() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }

# (SIGTERM, the default stop, exits without writing anything: no save
# point is configured.)

redis_status() {
  local memory keys
  memory=$(redis_cli info memory 2>/dev/null | tr -d '\r' | awk -F: '/^used_memory_human/ {print $2}')
  keys=$(redis_cli dbsize 2>/dev/null)
  printf 'memory %s, %s keys' "${memory:-?}" "${keys:-?}"
}
