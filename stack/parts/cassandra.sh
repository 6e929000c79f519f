# stack/parts/cassandra.sh: the local single-node Cassandra 5.0 part.
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

cassandra_ports() {
  echo "$FEED_CASSANDRA_PORT $FEED_CASSANDRA_STORAGE_PORT $FEED_CASSANDRA_JMX_PORT"
}

cassandra_init() {
  local dir
  for dir in data commitlog saved_caches hints cdc_raw; do
    # shellcheck disable=SC2153  # FEED_DATA is set by stack/config.env (sourced by stack/lib.sh)
    mkdir -p "$FEED_DATA/cassandra/$dir" || feed_die "cannot create $FEED_DATA/cassandra/$dir"
  done
  mkdir -p "$FEED_RUN/cassandra"
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

cassandra_start() {
  local conf=$FEED_HOME/stack/conf/cassandra
  local run=$FEED_RUN/cassandra
  local lib=$FEED_ENGINES/cassandra
  local CASSANDRA_DATA=$FEED_DATA/cassandra   # used by cassandra.yaml.in
  local all jamm flag
  local -a opts=()

  if part_running cassandra; then
    feed_say "cassandra already running (pid $(part_pid cassandra))"
    return 0
  fi
  [ -n "${FEED_JAVA:-}" ] || feed_require_java
  all=$(compgen -G "$lib/cassandra-all-*.jar" | head -n 1)
  jamm=$(compgen -G "$lib/jamm-*.jar" | head -n 1)
  { [ -n "$all" ] && [ -n "$jamm" ]; } || feed_die "Cassandra jars missing in $lib; run 'make install'"

  cassandra_init
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

  while IFS= read -r flag; do opts+=("$flag"); done < <(cassandra_java_options "$conf/jvm.options")
  opts+=(
    "-Xms$FEED_CASSANDRA_HEAP" "-Xmx$FEED_CASSANDRA_HEAP"
    "-javaagent:$jamm"
    # quiet: without it the JVM echoes each of the file's ~60 lines at start.
    "-XX:CompileCommand=quiet"
    "-XX:CompileCommandFile=$run/hotspot_compiler"
    "-XX:ErrorFile=$FEED_LOGS/cassandra-hs_err_%p.log"
    "-Dcassandra.config=file://$run/cassandra.yaml"
    "-Dlogback.configurationFile=$conf/logback.xml"
    "-Dcassandra.storagedir=$CASSANDRA_DATA"
    "-Dcassandra.logdir=$FEED_LOGS"
    "-Dcassandra.triggers_dir=$run/triggers"
    # JMX for nodetool, on loopback only, no password (upstream's
    # LOCAL_JMX=yes). The RMI server shares the registry's port; left
    # unset it listens on a random port.
    "-Dcassandra.jmx.local.port=$FEED_CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.rmi.port=$FEED_CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.authenticate=false"
    # Keep System.out open (the log goes there) and stay in the foreground,
    # so the recorded pid is the JVM's.
    "-Dcassandra-foreground=yes"
  )
  mkdir -p "$run/triggers"
  # glibc arenas capped as upstream's cassandra-env.sh does (RSS). The
  # classpath is a java wildcard so the log and ps stay readable.
  part_launch cassandra env MALLOC_ARENA_MAX=4 "$FEED_JAVA" "${opts[@]}" \
    -cp "$lib/*" org.apache.cassandra.service.CassandraDaemon
}

# Ready when the native port answers a CQL OPTIONS request with SUPPORTED
# (protocol v4 frame: version 0x04, flags 0, stream 0, opcode 0x05, length 0;
# reply starts 0x84 00 00 00 0x06). Cassandra opens that port last, once
# start-up is complete.
cassandra_ready() {
  local reply
  # shellcheck disable=SC2016  # $0 and $1 are the child bash's arguments
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x04\x00\x00\x00\x05\x00\x00\x00\x00" >&3
    head -c 5 <&3 | od -An -tx1' "$FEED_HOST" "$FEED_CASSANDRA_PORT" 2>/dev/null) || return 1
  reply=${reply//[[:space:]]/}
  [ "$reply" = 8400000006 ]
}

cassandra_status() {
  local dir=$FEED_DATA/cassandra
  [ -d "$dir" ] || { echo "no data yet"; return 0; }
  printf 'data %s, commitlog %s\n' \
    "$(du -sh "$dir/data" 2>/dev/null | cut -f1)" \
    "$(du -sh "$dir/commitlog" 2>/dev/null | cut -f1)"
}

# Keyspace and tables: every schema/cql/NNN_*.cql in order, through our own
# CQL client. Each statement is IF NOT EXISTS, so re-applying is harmless.
cassandra_setup() {
  local file contact=${FEED_CASSANDRA_CONTACT_POINTS:-$FEED_HOST:$FEED_CASSANDRA_PORT}
  [ -x "$FEED_HOME/build/bin/feed-cql" ] || { feed_say "cassandra: build/bin/feed-cql missing; run 'make build'"; return 1; }
  for file in "$FEED_HOME"/schema/cql/[0-9][0-9][0-9]_*.cql; do
    FEED_CASSANDRA_CONTACT_POINTS=$contact "$FEED_HOME/build/bin/feed-cql" --wait 60 -f "$file" \
      >>"$(part_logfile cassandra)" || { feed_say "cassandra: applying $(basename "$file") failed"; return 1; }
  done
}
