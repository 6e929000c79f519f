# stack/parts/redis.sh: our own Redis 7 instance (Debian's redis-server),
# the cache of feed heads. Its data is a cache: the Flink job and the API
# refill it from Cassandra, so persistence is only there to make restarts
# warm (RDB snapshot on shutdown), not for durability.
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
  part_launch redis "$FEED_REDIS_SERVER" \
    --bind "$FEED_HOST" --port "$FEED_REDIS_PORT" --protected-mode yes \
    --dir "$FEED_DATA/redis" --dbfilename dump.rdb --save "300 100" \
    --appendonly no --daemonize no --logfile "" --loglevel notice \
    --maxmemory "$FEED_REDIS_MAXMEMORY" --maxmemory-policy allkeys-lru
}

redis_cli() { redis-cli -h "$FEED_HOST" -p "$FEED_REDIS_PORT" "$@"; }

redis_ready() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }

# (SIGTERM, the default stop, makes Redis write its snapshot and exit,
# because a save point is configured.)

redis_status() {
  local memory keys
  memory=$(redis_cli info memory 2>/dev/null | tr -d '\r' | awk -F: '/^used_memory_human/ {print $2}')
  keys=$(redis_cli dbsize 2>/dev/null)
  printf 'memory %s, %s keys' "${memory:-?}" "${keys:-?}"
}
