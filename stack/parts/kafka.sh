# stack/parts/kafka.sh: Kafka 4.3 in KRaft mode (no ZooKeeper), from the
# jars in $FEED_ENGINES/kafka. Each node is one process that is both a
# broker and a controller ("combined" mode).
#
# Single node (FEED_NODES=1): the part "kafka" on $FEED_HOST.
# Cluster (FEED_NODES=3): parts kafka, kafka2, kafka3, node N on the N-th
# address of FEED_NODE_ADDRS with the same two ports; the three
# controllers are the KRaft quorum (static controller.quorum.voters), so
# the cluster keeps its metadata and elects leaders with one node down.
# Kafka's KRaft docs (kafka.apache.org/42/operations/kraft): "A Kafka
# admin will typically select 3 or 5 servers for this role ... With 3
# controllers, the cluster can tolerate 1 controller failure"; combined
# servers are "simpler to operate for small use cases" and not recommended
# where controllers must be isolated from broker load: on one machine the
# isolation would be fictional anyway, so we save three JVMs.
# shellcheck shell=bash

# kafka_local_bootstrap: every local broker, host:port,host:port,...
kafka_local_bootstrap() {
  local n out=
  for ((n = 1; n <= FEED_NODES; n++)); do
    out=${out:+$out,}$(feed_node_addr "$n"):$FEED_KAFKA_PORT
  done
  printf '%s' "$out"
}

# The bootstrap list every client gets (Connect, the job, the tools).
kafka_bootstrap() { printf '%s' "${FEED_KAFKA_BOOTSTRAP:-$(kafka_local_bootstrap)}"; }

# kafka__voters: controller.quorum.voters, id@host:port for every node.
kafka__voters() {
  local n out=
  for ((n = 1; n <= FEED_NODES; n++)); do
    out=${out:+$out,}$n@$(feed_node_addr "$n"):$FEED_KAFKA_CONTROLLER_PORT
  done
  printf '%s' "$out"
}

kafka__ports() {
  local addr
  addr=$(feed_node_addr "$1")
  printf '%s:%s\n%s:%s\n' "$addr" "$FEED_KAFKA_PORT" "$addr" "$FEED_KAFKA_CONTROLLER_PORT"
}

# kafka_java MAIN ARGS...: run a Kafka class in the foreground (CLI tools).
kafka_java() {
  "$FEED_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$FEED_HOME/stack/conf/kafka/log4j2-tools.properties" \
    -cp "$(feed_classpath "$FEED_ENGINES/kafka")" "$@"
}

# kafka__init N: render node N's server.properties; format its storage once,
# with the cluster id kept beside the data (one id for every node).
kafka__init() {
  local n=$1 part data props id_file log
  part=$(feed_node_part kafka "$n")
  data=$FEED_DATA/$part props=$FEED_RUN/$part/server.properties
  id_file=$FEED_DATA/kafka.cluster-id log=$(part_logfile "$part")
  mkdir -p "$data" "$FEED_LOGS"
  KAFKA_NODE_ID=$n KAFKA_ADDR=$(feed_node_addr "$n") KAFKA_DATA=$data KAFKA_VOTERS=$(kafka__voters) \
    feed_render "$FEED_HOME/stack/conf/kafka/server.properties.in" "$props"
  [ -f "$data/meta.properties" ] && return 0
  if [ ! -s "$id_file" ]; then
    { kafka_java kafka.tools.StorageTool random-uuid >"$id_file.tmp" 2>>"$log" \
      && mv "$id_file.tmp" "$id_file"; } || feed_die "kafka: could not make a cluster id; see $log"
  fi
  feed_say "$part: formatting storage in $data"
  kafka_java kafka.tools.StorageTool format -t "$(cat "$id_file")" -c "$props" --ignore-formatted \
    >>"$log" 2>&1 || feed_die "$part: storage format failed; see $log"
}

kafka__start() {
  local part
  part=$(feed_node_part kafka "$1")
  part_launch "$part" "$FEED_JAVA" -Xms"$FEED_KAFKA_HEAP" -Xmx"$FEED_KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$FEED_HOME/stack/conf/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$FEED_LOGS" \
    -cp "$(feed_classpath "$FEED_ENGINES/kafka")" kafka.Kafka "$FEED_RUN/$part/server.properties"
}

# Ready when the broker has finished start-up (not merely when the port
# opens: the controller may still be electing itself).
kafka__ready() {
  local part
  part=$(feed_node_part kafka "$1")
  feed_port_open "$(feed_node_addr "$1"):$FEED_KAFKA_PORT" &&
    grep -q "\[KafkaRaftServer nodeId=$1\] Kafka Server started" "$(part_logfile "$part")"
}

# The part functions of node 1 ("kafka") and, in a cluster, of kafka2.. .
for ((kafka_n = 1; kafka_n <= FEED_NODES; kafka_n++)); do
  kafka_p=$(feed_node_part kafka "$kafka_n")
  eval "${kafka_p}_ports() { kafka__ports $kafka_n; }
        ${kafka_p}_init() { kafka__init $kafka_n; }
        ${kafka_p}_start() { kafka__start $kafka_n; }
        ${kafka_p}_ready() { kafka__ready $kafka_n; }"
  if [ "$kafka_n" -gt 1 ]; then
    eval "${kafka_p}_status() { printf 'broker and controller %s at %s:%s' $kafka_n \"\$(feed_node_addr $kafka_n)\" \"\$FEED_KAFKA_PORT\"; }"
  fi
done
unset kafka_n kafka_p

# Create the change topics of schema/kafka/topics.conf that do not exist,
# with FEED_REPLICATION_FACTOR replicas (and, in a cluster,
# min.insync.replicas on each topic as well as the broker default: a write
# is acknowledged by the producers' acks=all only once 2 of 3 replicas
# have it).
kafka_setup() {
  local existing name partitions configs config args log
  log=$(part_logfile kafka)
  existing=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" --list 2>>"$log") \
    || { feed_say "kafka: cannot list topics; see $log"; return 1; }
  while read -r name partitions configs; do
    case $name in ''|'#'*) continue ;; esac
    grep -qx "$name" <<<"$existing" && continue
    args=()
    for config in $configs; do args+=(--config "$config"); done
    [ "$FEED_REPLICATION_FACTOR" -gt 1 ] && args+=(--config "min.insync.replicas=$FEED_MIN_INSYNC")
    feed_say "kafka: creating topic $name ($partitions partitions, $FEED_REPLICATION_FACTOR replicas)"
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" --create \
      --if-not-exists --topic "$name" --partitions "$partitions" \
      --replication-factor "$FEED_REPLICATION_FACTOR" "${args[@]}" \
      >>"$log" 2>&1 || { feed_say "kafka: creating $name failed; see $log"; return 1; }
  done <"$FEED_HOME/schema/kafka/topics.conf"
}

# kafka_change_topics_leader: the part of the broker that leads most
# partitions of the change topics (schema/kafka/topics.conf), as the
# cluster's metadata says now (feed-chaos's "kafka-leader" fault).
kafka_change_topics_leader() {
  local id topics
  topics=$(awk '$1 !~ /^#/ && NF {printf "%s%s", sep, $1; sep = "|"}' "$FEED_HOME/schema/kafka/topics.conf")
  id=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" --describe \
    --topic "$topics" 2>/dev/null |
    awk '{for (i = 1; i < NF; i++) if ($i == "Leader:" && $(i + 1) ~ /^[0-9]+$/) print $(i + 1)}' |
    sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
  [ -n "$id" ] || feed_die "leader: cannot read the leaders of the change topics from $(kafka_bootstrap)"
  feed_node_part kafka "$id"
  echo
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
