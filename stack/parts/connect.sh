# stack/parts/connect.sh: a Kafka Connect distributed worker running
# Debezium's PostgreSQL connector (schema/connect/postgres-source.json)
# with exactly-once source delivery and Avro values in the registry.
# shellcheck shell=bash

connect_url() { printf '%s' "${FEED_CONNECT_URL:-http://$FEED_HOST:$FEED_CONNECT_PORT}"; }

FEED_CONNECTOR=feed-postgres

connect_ports() { printf '%s\n' "$FEED_CONNECT_PORT"; }

connect_init() {
  [ -d "$FEED_ENGINES/connect-plugins/debezium-postgres" ] \
    || feed_die "connect: Debezium plugin missing under $FEED_ENGINES/connect-plugins; run 'make install'"
  mkdir -p "$FEED_LOGS" "$FEED_RUN/connect"
}

connect_start() {
  KAFKA_BOOTSTRAP=$(kafka_bootstrap) REGISTRY_URL=$(registry_url) \
    feed_render "$FEED_HOME/stack/conf/connect/worker.properties.in" "$FEED_RUN/connect/worker.properties"
  part_launch connect "$FEED_JAVA" -Xms128m -Xmx"$FEED_CONNECT_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$FEED_HOME/stack/conf/kafka/log4j2.properties" \
    -cp "$(feed_classpath "$FEED_ENGINES/kafka")" \
    org.apache.kafka.connect.cli.ConnectDistributed "$FEED_RUN/connect/worker.properties"
}

# Ready when the REST API answers and the worker has joined its group
# (the root resource answers before the herder can take connectors).
connect_ready() {
  curl -fsS -o /dev/null --max-time 2 "$(connect_url)/connectors" &&
    curl -fsS --max-time 2 "$(connect_url)/connector-plugins" | grep -q PostgresConnector
}

# connect_state: "CONNECTOR_STATE TASK0_STATE" of our connector.
connect_state() {
  curl -fsS --max-time 3 "$(connect_url)/connectors/$FEED_CONNECTOR/status" 2>/dev/null |
    jq -r '[.connector.state, (.tasks[0].state // "NO_TASK")] | join(" ")'
}

# Register (or update) the Debezium connector and wait until its task runs.
connect_setup() {
  local config waited=0 state
  config=$(PG_HOST=$(feed_pg_dsn_field host "$FEED_HOST") PG_PORT=$(feed_pg_dsn_field port "$FEED_PG_PORT") \
    PG_DB=$(feed_pg_dsn_field dbname "$FEED_PG_DB") \
    PG_CDC_USER=$FEED_PG_CDC_USER PG_CDC_PASSWORD=$FEED_PG_CDC_PASSWORD \
    feed_render "$FEED_HOME/schema/connect/postgres-source.json" /dev/stdout) || return 1
  curl -fsS --max-time 30 -X PUT -H 'Content-Type: application/json' --data "$config" \
    "$(connect_url)/connectors/$FEED_CONNECTOR/config" >/dev/null \
    || { feed_say "connect: registering $FEED_CONNECTOR failed; see $(part_logfile connect)"; return 1; }
  until [ "$(connect_state)" = "RUNNING RUNNING" ]; do
    state=$(connect_state)
    case $state in *FAILED*)
      feed_say "connect: $FEED_CONNECTOR is $state:"
      curl -fsS "$(connect_url)/connectors/$FEED_CONNECTOR/status" | jq -r '.tasks[0].trace // .connector.trace' | head -n 20 >&2
      return 1 ;;
    esac
    [ "$waited" -ge 120 ] && { feed_say "connect: $FEED_CONNECTOR not running after 60s ($state); see $(part_logfile connect)"; return 1; }
    sleep 0.5
    waited=$((waited + 1))
  done
  connect_wait_offset
}

# Ready only once the connector has a source offset stored (in its
# exactly-once transactions; its heartbeats, every 5 s, store one even
# when no captured table changes). Until then a crash of Connect makes the
# restarted connector take a new snapshot (snapshot.mode=initial), which
# loses the deletes made in between (docs/RELIABILITY.md, known problem
# 13); after it, a restart streams on from the stored position.
connect_wait_offset() {
  local waited=0
  until curl -fsS --max-time 5 "$(connect_url)/connectors/$FEED_CONNECTOR/offsets" 2>/dev/null |
    jq -e '.offsets | length > 0' >/dev/null 2>&1; do
    [ "$waited" -ge 240 ] && {
      feed_say "connect: $FEED_CONNECTOR has stored no source offset after 120s (its transactions do not commit?); see $(part_logfile connect)"
      return 1
    }
    sleep 0.5
    waited=$((waited + 1))
  done
}

connect_status() {
  printf 'connector %s: %s' "$FEED_CONNECTOR" "$(connect_state || echo unknown)"
}
