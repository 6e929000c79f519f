# stack/parts/kafka.sh: one Kafka 4.3 node in KRaft mode (broker and
# controller in one process), from the jars in $FEED_ENGINES/kafka.
# shellcheck shell=bash

kafka_bootstrap() { printf '%s' "${FEED_KAFKA_BOOTSTRAP:-$FEED_HOST:$FEED_KAFKA_PORT}"; }

kafka_ports() { printf '%s\n%s\n' "$FEED_KAFKA_PORT" "$FEED_KAFKA_CONTROLLER_PORT"; }

# kafka_java MAIN ARGS...: run a Kafka class in the foreground (CLI tools).
kafka_java() {
  "$FEED_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$FEED_HOME/stack/conf/kafka/log4j2-tools.properties" \
    -cp "$(feed_classpath "$FEED_ENGINES/kafka")" "$@"
}

# Format the storage once, with a cluster id kept beside the data.
kafka_init() {
  local data=$FEED_DATA/kafka props=$FEED_RUN/kafka/server.properties id_file
  id_file=$FEED_DATA/kafka.cluster-id
  mkdir -p "$data" "$FEED_LOGS"
  feed_render "$FEED_HOME/stack/conf/kafka/server.properties.in" "$props"
  [ -f "$data/meta.properties" ] && return 0
  if [ ! -s "$id_file" ]; then
    { kafka_java kafka.tools.StorageTool random-uuid >"$id_file.tmp" 2>>"$(part_logfile kafka)" \
      && mv "$id_file.tmp" "$id_file"; } || feed_die "kafka: could not make a cluster id; see $(part_logfile kafka)"
  fi
  feed_say "kafka: formatting storage in $data"
  kafka_java kafka.tools.StorageTool format -t "$(cat "$id_file")" -c "$props" --ignore-formatted \
    >>"$(part_logfile kafka)" 2>&1 || feed_die "kafka: storage format failed; see $(part_logfile kafka)"
}

kafka_start() {
  part_launch kafka "$FEED_JAVA" -Xms"$FEED_KAFKA_HEAP" -Xmx"$FEED_KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$FEED_HOME/stack/conf/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$FEED_LOGS" \
    -cp "$(feed_classpath "$FEED_ENGINES/kafka")" kafka.Kafka "$FEED_RUN/kafka/server.properties"
}

# Ready when the broker has finished start-up (not merely when the port
# opens: the controller may still be electing itself).
kafka_ready() {
  feed_port_open "$FEED_KAFKA_PORT" &&
    grep -q 'Kafka Server started\|\[KafkaRaftServer nodeId=1\] Kafka Server started' "$(part_logfile kafka)"
}

# Create the change topics of schema/kafka/topics.conf that do not exist.
kafka_setup() {
  local existing name partitions configs config args
  existing=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" --list 2>>"$(part_logfile kafka)") \
    || { feed_say "kafka: cannot list topics; see $(part_logfile kafka)"; return 1; }
  while read -r name partitions configs; do
    case $name in ''|'#'*) continue ;; esac
    grep -qx "$name" <<<"$existing" && continue
    args=()
    for config in $configs; do args+=(--config "$config"); done
    feed_say "kafka: creating topic $name ($partitions partitions)"
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" --create \
      --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 "${args[@]}" \
      >>"$(part_logfile kafka)" 2>&1 || { feed_say "kafka: creating $name failed; see $(part_logfile kafka)"; return 1; }
  done <"$FEED_HOME/schema/kafka/topics.conf"
}

# One line: the Flink job's consumer lag (committed offsets at its last
# checkpoint against the end of each change topic).
kafka_status() {
  kafka_java org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$(kafka_bootstrap)" \
    --describe --group "${FEED_JOB_GROUP:-feed-fanout}" 2>/dev/null |
    awk '$1 == "GROUP" {for (i = 1; i <= NF; i++) if ($i == "LAG") col = i; next}
         col && $col ~ /^[0-9]+$/ {lag += $col; n++}
         END {if (n) printf "flink consumer lag %d records over %d partitions", lag, n;
              else printf "flink consumer group has no committed offsets yet"}'
}
