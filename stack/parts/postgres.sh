# stack/parts/postgres.sh: our own PostgreSQL 15 cluster (Debian's
# binaries, our data folder), wal_level=logical for Debezium.
#
# initdb and postgres refuse to run as root, so as root both run as the
# 'postgres' system user, which then owns $FEED_DATA/postgres.
# shellcheck shell=bash

: "${FEED_PG_BIN:=/usr/lib/postgresql/15/bin}"
FEED_PG_DB=feed
FEED_PG_APP_USER=feed
FEED_PG_APP_PASSWORD=${FEED_PG_APP_PASSWORD:-feed}
FEED_PG_CDC_USER=${FEED_PG_CDC_USER:-feed_cdc}
FEED_PG_CDC_PASSWORD=${FEED_PG_CDC_PASSWORD:-feed_cdc}
FEED_PG_SLOT=feed_slot
# The publication, feed_pub, is named where it is used: schema/sql/002_capture.sql
# and schema/connect/postgres-source.json.

# The DSN every client of ours uses (libpq keyword form).
feed_pg_dsn() {
  if [ -n "$FEED_PG_DSN" ]; then printf '%s' "$FEED_PG_DSN"; return; fi
  printf 'host=%s port=%s dbname=%s user=%s password=%s' \
    "$FEED_HOST" "$FEED_PG_PORT" "$FEED_PG_DB" "$FEED_PG_APP_USER" "$FEED_PG_APP_PASSWORD"
}

# feed_pg_dsn_field KEY [DEFAULT]: one keyword's value from FEED_PG_DSN
# (libpq's key=value form), else DEFAULT. The connector is configured from
# these when PostgreSQL is external.
feed_pg_dsn_field() {
  local value
  value=$(printf ' %s' "$FEED_PG_DSN" | sed -n "s/.* $1=\([^ ]*\).*/\1/p")
  printf '%s' "${value:-${2:-}}"
}

# pg_app_sql [psql args...]: psql as the application role: over the local
# cluster's socket, or through FEED_PG_DSN when PostgreSQL is external.
pg_app_sql() {
  if [ -n "$FEED_PG_DSN" ]; then
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$FEED_PG_DSN" "$@"
  else
    pg_superuser_sql -d "$FEED_PG_DB" -U "$FEED_PG_APP_USER" "$@"
  fi
}

# pg_as_owner CMD...: run CMD as the cluster's owner. setpriv execs in
# place (runuser would stay as a parent), so a pid recorded for the
# command is the command's own.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# pg_superuser_sql [psql args...]: psql as the cluster superuser over the
# cluster's own Unix socket (trust for the local owner only).
pg_superuser_sql() {
  PGOPTIONS="-c client_min_messages=warning" pg_as_owner "$FEED_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$FEED_RUN/postgres" \
    -p "$FEED_PG_PORT" -U postgres "$@"
}

postgres_ports() { printf '%s\n' "$FEED_PG_PORT"; }

postgres_init() {
  local data=$FEED_DATA/postgres
  [ -x "$FEED_PG_BIN/initdb" ] || feed_die "postgres: $FEED_PG_BIN/initdb not found; run 'make install' (Debian package postgresql-15)"
  mkdir -p "$FEED_DATA" "$FEED_LOGS" "$FEED_RUN/postgres"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || feed_die "postgres: system user 'postgres' missing; run 'make install'"
    chown postgres: "$FEED_RUN/postgres"
    # postgres must be able to reach its folders through ours.
    pg_as_owner test -x "$FEED_DATA" || chmod o+x "$FEED_VAR" "$FEED_DATA"
    pg_as_owner test -x "$FEED_DATA" ||
      feed_die "postgres: the 'postgres' user cannot reach $FEED_DATA: a parent folder is not searchable by others (chmod o+x it, or set FEED_VAR elsewhere)"
  fi
  [ -f "$data/PG_VERSION" ] && return 0
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  chmod 700 "$data"
  feed_say "postgres: initdb $data"
  pg_as_owner "$FEED_PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >>"$(part_logfile postgres)" 2>&1 \
    || feed_die "postgres: initdb failed; see $(part_logfile postgres)"
  cat >>"$data/postgresql.conf" <<CONF

# ---- feed stack settings (stack/parts/postgres.sh) ----
# listen_addresses, port and unix_socket_directories are given on the
# command line by postgres_start, so a changed FEED_PG_PORT takes effect.
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
# A stalled connector must not fill the disk: past this much retained WAL
# the slot is invalidated and the connector has to resnapshot.
max_slot_wal_keep_size = 4GB
max_connections = 200
shared_buffers = 256MB
synchronous_commit = on
logging_collector = off
log_min_messages = warning
CONF
  # Replication connections from loopback for the CDC role.
  printf 'host replication %s 127.0.0.1/32 scram-sha-256\n' "$FEED_PG_CDC_USER" >>"$data/pg_hba.conf"
}

postgres_start() {
  local args=(-D "$FEED_DATA/postgres" -p "$FEED_PG_PORT" -c "listen_addresses=$FEED_HOST"
    -c "unix_socket_directories=$FEED_RUN/postgres")
  mkdir -p "$FEED_RUN/postgres"
  [ "$(id -u)" = 0 ] && chown postgres: "$FEED_RUN/postgres"
  if [ "$(id -u)" = 0 ]; then
    part_launch postgres setpriv --reuid=postgres --regid=postgres --init-groups -- \
      "$FEED_PG_BIN/postgres" "${args[@]}"
  else
    part_launch postgres "$FEED_PG_BIN/postgres" "${args[@]}"
  fi
}

# SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client
# (Debezium's replication connection never leaves). SIGINT is "fast":
# clients are disconnected, committed work is flushed, the exit is clean.
postgres_stop_signal() { echo INT; }

postgres_ready() {
  "$FEED_PG_BIN/pg_isready" -q -h "$FEED_HOST" -p "$FEED_PG_PORT"
}

# Roles, database, migrations (schema/sql/NNN_*.sql, each once, in order,
# each in one transaction) and the replication slot. Idempotent.
postgres_setup() {
  if [ -n "$FEED_PG_DSN" ]; then
    # An external cluster's roles, publication owner and replication slot
    # are its administrator's: only our migrations are applied there.
    feed_say "postgres: external (FEED_PG_DSN); applying migrations only (roles, wal_level=logical and the slot are the cluster owner's, see README)"
    pg_migrate
    return
  fi
  pg_superuser_sql -d postgres <<SQL || return 1
SELECT 'CREATE ROLE $FEED_PG_APP_USER LOGIN PASSWORD ''$FEED_PG_APP_PASSWORD'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$FEED_PG_APP_USER') \gexec
SELECT 'CREATE ROLE $FEED_PG_CDC_USER LOGIN REPLICATION PASSWORD ''$FEED_PG_CDC_PASSWORD'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$FEED_PG_CDC_USER') \gexec
SELECT 'CREATE DATABASE $FEED_PG_DB OWNER $FEED_PG_APP_USER'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$FEED_PG_DB') \gexec
SQL
  pg_migrate || return 1
  pg_superuser_sql -d "$FEED_PG_DB" <<SQL || return 1
GRANT USAGE ON SCHEMA public TO $FEED_PG_CDC_USER;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO $FEED_PG_CDC_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE $FEED_PG_APP_USER IN SCHEMA public GRANT SELECT ON TABLES TO $FEED_PG_CDC_USER;
-- The slot is created here, not by the connector, so WAL is kept from the
-- moment the schema exists, whenever the connector first starts.
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$FEED_PG_SLOT') THEN
    PERFORM pg_create_logical_replication_slot('$FEED_PG_SLOT', 'pgoutput');
  END IF;
END \$\$;
SQL
}

# pg_migrate: apply schema/sql/NNN_name.sql files not yet recorded in
# schema_migrations, as the application role, one transaction per file.
pg_migrate() {
  local file version applied
  pg_app_sql -c \
    "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())" \
    || return 1
  applied=$(pg_app_sql -At -c "SELECT version FROM schema_migrations") || return 1
  for file in "$FEED_HOME"/schema/sql/[0-9][0-9][0-9]_*.sql; do
    version=$(basename "$file" .sql)
    grep -qx "$version" <<<"$applied" && continue
    feed_say "postgres: applying migration $version"
    # psql reads the file through stdin: the postgres user may not be able to open it.
    { cat "$file"; printf "\nINSERT INTO schema_migrations (version) VALUES ('%s');\n" "$version"; } |
      pg_app_sql --single-transaction \
      || { feed_say "postgres: migration $version failed; nothing of it was applied"; return 1; }
  done
}

# One line: the replication slot's lag (WAL not yet confirmed by Debezium).
postgres_status() {
  pg_superuser_sql -d "$FEED_PG_DB" -At -c "SELECT 'slot $FEED_PG_SLOT: ' || CASE WHEN active THEN 'active' ELSE 'inactive' END || ', lag ' || pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) FROM pg_replication_slots WHERE slot_name = '$FEED_PG_SLOT'" 2>/dev/null
}

# ------------------------------------------------- cluster: two standbys
#
# With FEED_NODES=3, postgres2 and postgres3 are streaming standbys of the
# primary (hot standby, each on its own node address, same port), made by
# pg_basebackup from the primary and kept by a physical replication slot
# each (feed_standby2, feed_standby3). The primary then has
#   synchronous_standby_names = 'ANY 1 (postgres2, postgres3)'
# a quorum commit: a COMMIT returns once one of the two standbys has the
# WAL on disk (synchronous_commit = on), so a committed row survives the
# loss of the primary's disk, and losing either standby refuses nothing.
# PostgreSQL's docs (High Availability, "Synchronous Replication", and
# synchronous_standby_names): with a single synchronous standby the
# primary stops committing when that standby is down; listing more
# standbys than must confirm is their way to keep committing through the
# loss of one.
#
# The streaming connection uses the primary's Unix socket folder as the
# superuser (initdb's "local replication all trust"): both run on this
# machine; across machines it would be a replication role over TCP.
# What a primary loss means for the CDC chain (the logical slot feed_slot
# exists only on the primary before PostgreSQL 17): docs/CLUSTER.md.

FEED_PG_SYNC_NAMES='ANY 1 (postgres2, postgres3)'

postgres__standby_parts() {
  local n
  for ((n = 2; n <= FEED_NODES; n++)); do echo "postgres$n"; done
}

postgres__standby_ports() { printf '%s:%s\n' "$(feed_node_addr "$1")" "$FEED_PG_PORT"; }

# postgres__standby_init N: the base backup, once (the primary must be up).
postgres__standby_init() {
  local n=$1 data=$FEED_DATA/postgres$1 log
  log=$(part_logfile "postgres$n")
  mkdir -p "$FEED_LOGS" "$FEED_RUN/postgres$n"
  [ "$(id -u)" = 0 ] && chown postgres: "$FEED_RUN/postgres$n"
  [ -f "$data/PG_VERSION" ] && return 0
  postgres_ready || feed_die "postgres$n: the primary must be up to copy it"
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  chmod 700 "$data"
  feed_say "postgres$n: base backup of the primary into $data"
  pg_superuser_sql -d postgres -c "SELECT pg_drop_replication_slot('feed_standby$n') FROM pg_replication_slots WHERE slot_name = 'feed_standby$n'" >/dev/null
  pg_as_owner "$FEED_PG_BIN/pg_basebackup" -h "$FEED_RUN/postgres" -p "$FEED_PG_PORT" -U postgres \
    -D "$data" -X stream -C -S "feed_standby$n" >>"$log" 2>&1 \
    || feed_die "postgres$n: pg_basebackup failed; see $log"
  pg_as_owner touch "$data/standby.signal"
  pg_as_owner tee -a "$data/postgresql.auto.conf" >/dev/null <<CONF
# standby of the stack's primary (stack/parts/postgres.sh)
primary_conninfo = 'host=$FEED_RUN/postgres port=$FEED_PG_PORT user=postgres application_name=postgres$n'
primary_slot_name = 'feed_standby$n'
hot_standby = on
CONF
}

postgres__standby_start() {
  local n=$1
  local args=(-D "$FEED_DATA/postgres$n" -p "$FEED_PG_PORT" -c "listen_addresses=$(feed_node_addr "$n")"
    -c "unix_socket_directories=$FEED_RUN/postgres$n")
  if [ "$(id -u)" = 0 ]; then
    part_launch "postgres$n" setpriv --reuid=postgres --regid=postgres --init-groups -- \
      "$FEED_PG_BIN/postgres" "${args[@]}"
  else
    part_launch "postgres$n" "$FEED_PG_BIN/postgres" "${args[@]}"
  fi
}

# Ready when it accepts connections and the primary sees it streaming.
postgres__standby_ready() {
  "$FEED_PG_BIN/pg_isready" -q -h "$(feed_node_addr "$1")" -p "$FEED_PG_PORT" &&
    [ "$(pg_superuser_sql -d postgres -At -c "SELECT state FROM pg_stat_replication WHERE application_name = 'postgres$1'" 2>/dev/null)" = streaming ]
}

postgres__standby_status() {
  pg_superuser_sql -d postgres -At -c "SELECT 'standby at $(feed_node_addr "$1"): ' || state || ', ' || sync_state || ', replay lag ' || pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication WHERE application_name = 'postgres$1'" 2>/dev/null
}

for postgres_n in $(seq 2 "$FEED_NODES"); do
  eval "postgres${postgres_n}_ports() { postgres__standby_ports $postgres_n; }
        postgres${postgres_n}_init() { postgres__standby_init $postgres_n; }
        postgres${postgres_n}_start() { postgres__standby_start $postgres_n; }
        postgres${postgres_n}_ready() { postgres__standby_ready $postgres_n; }
        postgres${postgres_n}_status() { postgres__standby_status $postgres_n; }
        postgres${postgres_n}_stop_signal() { echo INT; }"
done
unset postgres_n

# postgres_sync_setup: once the standbys stream, make commits wait for one
# of them (kept in postgresql.auto.conf across restarts). Idempotent.
postgres_sync_setup() {
  [ "$FEED_NODES" -ge 3 ] || return 0
  [ "$(pg_superuser_sql -d postgres -At -c "SHOW synchronous_standby_names")" = "$FEED_PG_SYNC_NAMES" ] && return 0
  feed_say "postgres: synchronous_standby_names = '$FEED_PG_SYNC_NAMES'"
  pg_superuser_sql -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = '$FEED_PG_SYNC_NAMES'" &&
    pg_superuser_sql -d postgres -At -c "SELECT pg_reload_conf()" >/dev/null
}
