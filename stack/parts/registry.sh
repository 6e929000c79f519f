# stack/parts/registry.sh: the Avro schema registry, Apicurio Registry 2.6
# (a runnable Quarkus app from Maven Central). Kafka Connect's Avro
# converter registers Debezium's schemas here; readers fetch a writer
# schema by id through its Confluent-compatible API (/apis/ccompat/v7).
#
# Its schemas live in an H2 file under $FEED_DATA/registry: the default
# in-memory store would forget every schema on restart, and the ids in
# Kafka's records would then point at nothing.
# shellcheck shell=bash

registry_url() { printf '%s' "${FEED_REGISTRY_URL:-http://$FEED_HOST:$FEED_REGISTRY_PORT}"; }

registry_ports() { printf '%s\n' "$FEED_REGISTRY_PORT"; }

registry_init() {
  [ -f "$FEED_ENGINES/apicurio/apicurio-registry-app-2.6.13.Final-runner.jar" ] \
    || feed_die "registry: Apicurio jar missing under $FEED_ENGINES/apicurio; run 'make install'"
  mkdir -p "$FEED_DATA/registry" "$FEED_LOGS"
}

registry_start() {
  # UuidProcessId: Narayana otherwise opens a random loopback port to
  # derive a process id. acquisition-timeout: Quarkus's default of 5 s to get
  # a connection of its own embedded H2 pool made the registry exit during
  # start-up on a machine starved of CPU (load 40-60 with several stacks).
  part_launch registry "$FEED_JAVA" -Xms64m -Xmx"$FEED_REGISTRY_HEAP" -XX:+UseSerialGC \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dquarkus.http.host="$FEED_HOST" -Dquarkus.http.port="$FEED_REGISTRY_PORT" \
    -Dquarkus.datasource.jdbc.url="jdbc:h2:file:$FEED_DATA/registry/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dquarkus.datasource.jdbc.min-size=1 -Dquarkus.datasource.jdbc.initial-size=1 \
    -Dquarkus.datasource.jdbc.max-size=8 -Dquarkus.datasource.jdbc.acquisition-timeout=60S \
    -Dquarkus.log.level=WARN -Dquarkus.log.category.\"io.apicurio\".level=INFO \
    -DCoreEnvironmentBean.processImplementationClassName=com.arjuna.ats.internal.arjuna.utils.UuidProcessId \
    -jar "$FEED_ENGINES/apicurio/apicurio-registry-app-2.6.13.Final-runner.jar"
}

registry_ready() {
  curl -fsS -o /dev/null --max-time 2 "$(registry_url)/apis/ccompat/v7/subjects"
}

registry_status() {
  local subjects
  subjects=$(curl -fsS --max-time 2 "$(registry_url)/apis/ccompat/v7/subjects" 2>/dev/null) || return 0
  printf '%s schema subjects' "$(jq 'length' <<<"$subjects")"
}
