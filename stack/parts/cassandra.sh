# stack/parts/cassandra.sh: the local Cassandra 5.0 part(s).
#
# Single node (FEED_NODES=1): the part "cassandra" on $FEED_HOST.
# Cluster (FEED_NODES=3): parts cassandra, cassandra2, cassandra3, node N
# on the N-th address of FEED_NODE_ADDRS with the same CQL and storage
# ports (ccm's layout: one loopback address per node), data under
# $FEED_DATA/cassandraN, JMX on FEED_CASSANDRA_JMX_PORT + 100*(N-1)
# (Cassandra binds its local JMX to 127.0.0.1 whatever the node's address).
# The keyspace then has replication factor FEED_REPLICATION_FACTOR (3).
#
# Sourced after stack/lib.sh (see the part conventions there). Cassandra
# runs as one plain JVM, CassandraDaemon in the foreground, from the jars
# in $FEED_ENGINES/cassandra (fetched by stack/engines/cassandra/pom.xml),
# with our own config: the jar ships no cassandra.yaml, logback.xml or JVM
# options, so they live in stack/conf/cassandra/:
#   cassandra.yaml.in  rendered into $FEED_RUN/cassandra/cassandra.yaml
#   jvm.options        static JVM flags, one per line
#   logback.xml        one INFO log on stdout, i.e. $FEED_LOGS/cassandra.log
# Data lives in $FEED_DATA/cassandra/{data,commitlog,saved_caches,hints,cdc_raw}.
#
# Listens on $FEED_HOST only: CQL on FEED_CASSANDRA_PORT, inter-node
# storage on FEED_CASSANDRA_STORAGE_PORT and JMX (for nodetool) on
# FEED_CASSANDRA_JMX_PORT. Stopping is part_stop's SIGTERM: Cassandra's
# shutdown hook drains (flushes memtables) and exits in a few seconds.
#
# nodetool is in the same jars; it needs jvm.options' --add-* flags too:
#   java $(grep -E '^(--add|-Djdk.attach)' stack/conf/cassandra/jvm.options) \
#     -cp "$FEED_ENGINES/cassandra/*" org.apache.cassandra.tools.NodeTool \
#     -h 127.0.0.1 -p "$FEED_CASSANDRA_JMX_PORT" status
# (it keeps a history in ~/.cassandra/nodetool.history).

# shellcheck shell=bash

# JMX is not in stack/config.env (nothing in the pipeline uses it); by
# Cassandra's convention it sits 199 above the storage port (7000 -> 7199).
: "${FEED_CASSANDRA_JMX_PORT:=$((FEED_CASSANDRA_STORAGE_PORT + 199))}"

# cassandra_local_contact_points: every local node, host:port,...
cassandra_local_contact_points() {
  local n out=
  for ((n = 1; n <= FEED_NODES; n++)); do
    out=${out:+$out,}$(feed_node_addr "$n"):$FEED_CASSANDRA_PORT
  done
  printf '%s' "$out"
}

# The contact points every client gets (the API, the job, the tools).
cassandra_contact_points() {
  printf '%s' "${FEED_CASSANDRA_CONTACT_POINTS:-$(cassandra_local_contact_points)}"
}

cassandra__jmx_port() { printf '%s' $((FEED_CASSANDRA_JMX_PORT + 100 * ($1 - 1))); }

cassandra__ports() {
  local addr
  addr=$(feed_node_addr "$1")
  echo "$addr:$FEED_CASSANDRA_PORT $addr:$FEED_CASSANDRA_STORAGE_PORT $FEED_HOST:$(cassandra__jmx_port "$1")"
}

cassandra__init() {
  local dir part
  part=$(feed_node_part cassandra "$1")
  for dir in data commitlog saved_caches hints cdc_raw; do
    # shellcheck disable=SC2153  # FEED_DATA is set by stack/config.env (sourced by stack/lib.sh)
    mkdir -p "$FEED_DATA/$part/$dir" || feed_die "cannot create $FEED_DATA/$part/$dir"
  done
  mkdir -p "$FEED_RUN/$part"
}

# cassandra_java_options FILE: print FILE's flags one per line, without the
# comments and blank lines.
cassandra_java_options() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}     # trim leading blanks
    line=${line%"${line##*[![:space:]]}"}     # trim trailing blanks
    case $line in '' | '#'*) continue ;; esac
    printf '%s\n' "$line"
  done <"$1"
}

cassandra__start() {
  local n=$1 part
  part=$(feed_node_part cassandra "$n")
  local conf=$FEED_HOME/stack/conf/cassandra
  local run=$FEED_RUN/$part
  local lib=$FEED_ENGINES/cassandra
  # used by cassandra.yaml.in
  local CASSANDRA_DATA=$FEED_DATA/$part
  # The CASSANDRA_* locals are read by feed_render (${!var}).
  local CASSANDRA_ADDR CASSANDRA_SEEDS CASSANDRA_HINTS=false
  # shellcheck disable=SC2034  # read by feed_render
  local CASSANDRA_COMMITLOG_SYNC=batch CASSANDRA_COMMITLOG_GROUP_WINDOW=0ms
  local all jamm flag jmx
  local -a opts=()

  if part_running "$part"; then
    feed_say "$part already running (pid $(part_pid "$part"))"
    return 0
  fi
  [ -n "${FEED_JAVA:-}" ] || feed_require_java
  all=$(compgen -G "$lib/cassandra-all-*.jar" | head -n 1)
  jamm=$(compgen -G "$lib/jamm-*.jar" | head -n 1)
  { [ -n "$all" ] && [ -n "$jamm" ]; } || feed_die "Cassandra jars missing in $lib; run 'make install'"

  # shellcheck disable=SC2034  # read by feed_render
  CASSANDRA_ADDR=$(feed_node_addr "$n")
  jmx=$(cassandra__jmx_port "$n")
  # Seeds: node 1, and node 2 in a cluster, so that any node restarting
  # finds a live seed with one node down. Cassandra's docs: seeds are only
  # for gossip bootstrapping; "it is recommended to configure 2 or 3 seed
  # nodes per datacenter" but not every node (docs: Getting started,
  # Production recommendations / Configuring Cassandra, seed_provider).
  CASSANDRA_SEEDS=$FEED_HOST:$FEED_CASSANDRA_STORAGE_PORT
  if [ "$FEED_NODES" -ge 3 ]; then
    CASSANDRA_SEEDS+=,$(feed_node_addr 2):$FEED_CASSANDRA_STORAGE_PORT
    # shellcheck disable=SC2034  # read by feed_render
    CASSANDRA_HINTS=true
  fi
  case $FEED_CASSANDRA_COMMITLOG_SYNC in
    batch) ;;
    group)
      [[ $FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS =~ ^[1-9][0-9]*$ ]] ||
        feed_die "FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS must be a whole number of ms >= 1 (got '$FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS')"
      # shellcheck disable=SC2034  # read by feed_render
      CASSANDRA_COMMITLOG_SYNC=group CASSANDRA_COMMITLOG_GROUP_WINDOW=${FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS}ms
      ;;
    *) feed_die "FEED_CASSANDRA_COMMITLOG_SYNC must be batch or group (got '$FEED_CASSANDRA_COMMITLOG_SYNC')" ;;
  esac
  cassandra__init "$n"
  feed_render "$conf/cassandra.yaml.in" "$run/cassandra.yaml"
  # JIT hints Cassandra ships inside its jar (upstream keeps them in conf/).
  if [ ! -s "$run/hotspot_compiler" ] || [ "$all" -nt "$run/hotspot_compiler" ]; then
    {
      if command -v unzip >/dev/null 2>&1; then
        unzip -p "$all" META-INF/hotspot_compiler >"$run/hotspot_compiler.tmp"
      else
        (cd "$run" && "$FEED_JAVA_HOME/bin/jar" xf "$all" META-INF/hotspot_compiler &&
          cat META-INF/hotspot_compiler >hotspot_compiler.tmp && rm -rf META-INF)
      fi && [ -s "$run/hotspot_compiler.tmp" ] && mv "$run/hotspot_compiler.tmp" "$run/hotspot_compiler"
    } || feed_die "cannot extract META-INF/hotspot_compiler from $all"
  fi

  while IFS= read -r flag; do
    # Single-node start-up shortcuts (see jvm.options): not in a cluster.
    if [ "$FEED_NODES" -ge 3 ]; then
      case $flag in
        -Dcassandra.skip_wait_for_gossip_to_settle=* | -Dcassandra.ring_delay_ms=* | -Dcassandra.shutdown_announce_in_ms=*) continue ;;
      esac
    fi
    opts+=("$flag")
  done < <(cassandra_java_options "$conf/jvm.options")
  opts+=(
    "-Xms$FEED_CASSANDRA_HEAP" "-Xmx$FEED_CASSANDRA_HEAP"
    "-javaagent:$jamm"
    # quiet: without it the JVM echoes each of the file's ~60 lines at start.
    "-XX:CompileCommand=quiet"
    "-XX:CompileCommandFile=$run/hotspot_compiler"
    "-XX:ErrorFile=$FEED_LOGS/$part-hs_err_%p.log"
    "-Dcassandra.config=file://$run/cassandra.yaml"
    "-Dlogback.configurationFile=$conf/logback.xml"
    "-Dcassandra.storagedir=$CASSANDRA_DATA"
    "-Dcassandra.logdir=$FEED_LOGS"
    "-Dcassandra.triggers_dir=$run/triggers"
    # JMX for nodetool, on loopback only, no password (upstream's
    # LOCAL_JMX=yes). The RMI server shares the registry's port; left
    # unset it listens on a random port.
    "-Dcassandra.jmx.local.port=$jmx"
    "-Dcom.sun.management.jmxremote.rmi.port=$jmx"
    "-Dcom.sun.management.jmxremote.authenticate=false"
    # Keep System.out open (the log goes there) and stay in the foreground,
    # so the recorded pid is the JVM's.
    "-Dcassandra-foreground=yes"
  )
  mkdir -p "$run/triggers"
  # glibc arenas capped as upstream's cassandra-env.sh does (RSS). The
  # classpath is a java wildcard so the log and ps stay readable.
  part_launch "$part" env MALLOC_ARENA_MAX=4 "$FEED_JAVA" "${opts[@]}" \
    -cp "$lib/*" org.apache.cassandra.service.CassandraDaemon
}

# Ready when the native port answers a CQL OPTIONS request with SUPPORTED
# (protocol v4 frame: version 0x04, flags 0, stream 0, opcode 0x05, length 0;
# reply starts 0x84 00 00 00 0x06). Cassandra opens that port last, once
# start-up is complete.
cassandra__ready() {
  local reply
  # shellcheck disable=SC2016  # $0 and $1 are the child bash's arguments
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x04\x00\x00\x00\x05\x00\x00\x00\x00" >&3
    head -c 5 <&3 | od -An -tx1' "$(feed_node_addr "$1")" "$FEED_CASSANDRA_PORT" 2>/dev/null) || return 1
  reply=${reply//[[:space:]]/}
  [ "$reply" = 8400000006 ]
}

cassandra__status() {
  local part dir
  part=$(feed_node_part cassandra "$1")
  dir=$FEED_DATA/$part
  [ -d "$dir" ] || { echo "no data yet"; return 0; }
  [ "$FEED_NODES" -ge 3 ] && printf 'node %s at %s:%s, ' "$1" "$(feed_node_addr "$1")" "$FEED_CASSANDRA_PORT"
  printf 'data %s, commitlog %s\n' \
    "$(du -sh "$dir/data" 2>/dev/null | cut -f1)" \
    "$(du -sh "$dir/commitlog" 2>/dev/null | cut -f1)"
}

# The part functions of node 1 ("cassandra") and, in a cluster, cassandra2.. .
for cassandra_n in $(seq 1 "$FEED_NODES"); do
  cassandra_p=$(feed_node_part cassandra "$cassandra_n")
  eval "${cassandra_p}_ports() { cassandra__ports $cassandra_n; }
        ${cassandra_p}_init() { cassandra__init $cassandra_n; }
        ${cassandra_p}_start() { cassandra__start $cassandra_n; }
        ${cassandra_p}_ready() { cassandra__ready $cassandra_n; }
        ${cassandra_p}_status() { cassandra__status $cassandra_n; }"
done
unset cassandra_n cassandra_p

# cassandra_keyspace_cql: the keyspace at FEED_REPLICATION_FACTOR. One
# node: SimpleStrategy 1, exactly as schema/cql/001_feeds.cql creates it.
# Cluster: NetworkTopologyStrategy, which Cassandra's docs recommend for
# production (SimpleStrategy "should only be used for testing"; docs:
# Architecture, Dynamo, Replication strategy), with every replica in the
# one data centre (SimpleSnitch calls it datacenter1).
cassandra_keyspace_cql() {
  local ks=${FEED_CASSANDRA_KEYSPACE:-feed}
  if [ "$FEED_REPLICATION_FACTOR" -eq 1 ]; then
    printf "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" "$ks"
  else
    printf "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': %s}" \
      "$ks" "$FEED_REPLICATION_FACTOR"
  fi
}

# Keyspace and tables: the keyspace at the stack's replication factor, then
# every schema/cql/NNN_*.cql in order (whose CREATE KEYSPACE IF NOT EXISTS
# then finds it), through our own CQL client. Each statement is IF NOT
# EXISTS, so re-applying is harmless.
cassandra_setup() {
  local file contact log
  contact=$(cassandra_contact_points)
  log=$(part_logfile cassandra)
  [ -x "$FEED_HOME/build/bin/feed-cql" ] || { feed_say "cassandra: build/bin/feed-cql missing; run 'make build'"; return 1; }
  FEED_CASSANDRA_CONTACT_POINTS=$contact "$FEED_HOME/build/bin/feed-cql" --wait 60 \
    -e "$(cassandra_keyspace_cql)" >>"$log" || { feed_say "cassandra: creating the keyspace failed"; return 1; }
  for file in "$FEED_HOME"/schema/cql/[0-9][0-9][0-9]_*.cql; do
    FEED_CASSANDRA_CONTACT_POINTS=$contact "$FEED_HOME/build/bin/feed-cql" --wait 60 -f "$file" \
      >>"$log" || { feed_say "cassandra: applying $(basename "$file") failed"; return 1; }
  done
}
