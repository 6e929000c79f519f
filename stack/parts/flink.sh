# stack/parts/flink.sh: the Flink 2.2 session cluster, as two parts.
#
#   flink_jm  the JobManager (StandaloneSessionClusterEntrypoint): REST API
#             and web UI on $FEED_FLINK_REST_PORT, RPC, blob server
#   flink_tm  one TaskManager (TaskManagerRunner) with 4 slots
#   flink_tm2 in a cluster (FEED_NODES=3), a second TaskManager on the
#             second node address (same ports); the job's subtasks are
#             spread over both, and either has the slots to run the whole
#             job alone when the other dies (see docs/CLUSTER.md)
#
# There is no flink-dist on Maven Central, so there are no bin/*.sh
# scripts either: this file does what bin/jobmanager.sh, taskmanager.sh,
# config.sh and flink-daemon.sh do. The classpath is the jar folder
# $FEED_ENGINES/flink; JVM memory flags come from BashJavaUtils (in
# flink-runtime), exactly as Flink's scripts get them; each part gets its
# own rendered config folder $FEED_RUN/flink/{jm,tm}. The process we
# launch is java itself, so part_stop/part_kill reach the JVM.
#
# Ports (all on $FEED_HOST), base = $FEED_FLINK_PORT_BASE:
#   JobManager   rest $FEED_FLINK_REST_PORT, rpc base+0, blob base+1,
#                metrics query service base+2
#   TaskManager  rpc base+3, data base+4, metrics query service base+5,
#                collect sink base+6 (only while a job uses collect())
#   base+7 is spare.
#
# Data under $FEED_DATA/flink: checkpoints/ (retained on cancel: a job can
# be resumed from checkpoints/<job id>/chk-N), savepoints/, web-upload/
# (jars uploaded through REST; they survive a JobManager restart), and
# scratch space (web-tmp/, tmp/jm, tmp/tm) that is wiped when the part
# that owns it starts.
#
# Needs curl and jq (ready and status checks).

# shellcheck shell=bash

FLINK_MAIN_JM=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
FLINK_MAIN_TM=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

# JVM options for Java 17, from env.java.opts.all in Flink's distribution
# config (flink-dist/src/main/resources/config.yaml).
FLINK_JAVA17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# flink__get PATH: GET a REST resource of the JobManager, body on stdout.
flink__get() {
  curl -fsS --max-time 3 "$(flink_rest)$1"
}

flink__need_java() {
  [ -n "${FEED_JAVA:-}" ] || feed_find_java || feed_die "Java 17 not found; run 'make install' or install openjdk-17-jdk-headless"
}

# flink_tm_parts: the TaskManager parts, flink_tm (and flink_tm2 in a cluster).
flink_tm_parts() {
  echo flink_tm
  [ "$FEED_NODES" -ge 3 ] && echo flink_tm2
  return 0
}

# flink__render ROLE: write $FEED_RUN/flink/ROLE/{config.yaml,log4j.properties}
# and print the folder. ROLE is jm, tm or tm2; they differ in scratch
# folder, metrics query service port and (tm2) the TaskManager's address.
# shellcheck disable=SC2034  # the FLINK_* locals are read by feed_render (${!var})
flink__render() {
  local role=$1 dir
  local base=$FEED_FLINK_PORT_BASE
  # shellcheck disable=SC2153  # FEED_DATA is set by stack/config.env (sourced by stack/lib.sh)
  local FLINK_DATA=$FEED_DATA/flink
  local FLINK_TMP_DIR=$FEED_DATA/flink/tmp/$role
  local FLINK_TM_HOST=$FEED_HOST
  local FLINK_JM_RPC_PORT=$((base + 0))
  local FLINK_BLOB_PORT=$((base + 1))
  local FLINK_TM_RPC_PORT=$((base + 3))
  local FLINK_TM_DATA_PORT=$((base + 4))
  local FLINK_COLLECT_PORT=$((base + 6))
  local FLINK_QUERY_PORT
  case $role in
    jm) FLINK_QUERY_PORT=$((base + 2)) ;;
    tm) FLINK_QUERY_PORT=$((base + 5)) ;;
    tm2) FLINK_QUERY_PORT=$((base + 5)) FLINK_TM_HOST=$(feed_node_addr 2) ;;
    *) feed_die "flink__render: unknown role $role" ;;
  esac
  dir=$FEED_RUN/flink/$role
  feed_render "$FEED_HOME/stack/conf/flink/config.yaml.in" "$dir/config.yaml"
  cp "$FEED_HOME/stack/conf/flink/log4j.properties" "$dir/log4j.properties"
  printf '%s' "$dir"
}

# flink__resource_params COMMAND CONFDIR [-D key=value]...: run BashJavaUtils
# like Flink's config.sh does and set two arrays: FLINK_JVM_PARAMS (-Xmx,
# -Xms, -XX:Max...Size) and FLINK_DYNAMIC_PARAMS (-D key=value pairs that
# pin the derived memory sizes; passed to the entrypoint).
flink__resource_params() {
  local cmd=$1 conf=$2 output results
  shift 2
  output=$("$FEED_JAVA" -classpath "$(feed_classpath "$FEED_ENGINES/flink")" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$conf" "$@" 2>&1) || {
    printf '%s\n' "$output" >&2
    feed_die "BashJavaUtils $cmd failed (see above)"
  }
  results=$(printf '%s\n' "$output" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  if [ "$(printf '%s\n' "$results" | grep -c .)" -ne 2 ]; then
    printf '%s\n' "$output" >&2
    feed_die "BashJavaUtils $cmd: expected 2 result lines"
  fi
  read -r -a FLINK_JVM_PARAMS <<<"$(printf '%s\n' "$results" | head -n 1)"
  read -r -a FLINK_DYNAMIC_PARAMS <<<"$(printf '%s\n' "$results" | tail -n 1)"
}

# flink__wipe DIR: empty a scratch folder (only ever under $FEED_DATA/flink).
flink__wipe() {
  case $1 in
    "$FEED_DATA"/flink/?*) ;;
    *) feed_die "flink__wipe: refusing to empty $1" ;;
  esac
  [ -d "$1" ] && find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  mkdir -p "$1"
}

# flink__launch PART MAIN CONFDIR [ENTRYPOINT ARGS...]
# FLINK_PLUGINS_DIR: without it Flink looks for ./plugins in whatever folder
# the part was started from; ours is empty (no plugins are installed).
flink__launch() {
  local part=$1 main=$2 conf=$3
  shift 3
  mkdir -p "$FEED_RUN/flink/plugins"
  FLINK_PLUGINS_DIR=$FEED_RUN/flink/plugins part_launch "$part" "$FEED_JAVA" \
    "${FLINK_JVM_PARAMS[@]}" \
    "${FLINK_JAVA17_OPTS[@]}" \
    "-Dlog.file=$(part_logfile "$part")" \
    "-Dlog4j.configurationFile=file:$conf/log4j.properties" \
    -classpath "$(feed_classpath "$FEED_ENGINES/flink")" \
    "$main" "$@"
}

# ---------------------------------------------------------------- JobManager

flink_jm_ports() {
  local base=$FEED_FLINK_PORT_BASE
  echo "$FEED_FLINK_REST_PORT $((base + 0)) $((base + 1)) $((base + 2))"
}

flink_jm_init() {
  local d
  for d in checkpoints savepoints web-upload web-tmp tmp/jm tmp/tm rocksdb-logs; do
    mkdir -p "$FEED_DATA/flink/$d"
  done
}

flink_jm_start() {
  local conf
  if part_running flink_jm; then
    feed_say "flink_jm already running (pid $(part_pid flink_jm))"
    return 0
  fi
  flink__need_java
  flink_jm_init
  # Scratch space of a previous JobManager (working dir, blob store,
  # unpacked web UI): nothing there outlives the process without HA.
  flink__wipe "$FEED_DATA/flink/tmp/jm"
  flink__wipe "$FEED_DATA/flink/web-tmp"
  conf=$(flink__render jm) || return 1
  flink__resource_params GET_JM_RESOURCE_PARAMS "$conf"
  flink__launch flink_jm "$FLINK_MAIN_JM" "$conf" \
    "${FLINK_DYNAMIC_PARAMS[@]}" --configDir "$conf"
}

flink_jm_ready() {
  flink__get /overview >/dev/null
}

# One line: how many jobs run, then each job that is not finished (running,
# restarting, ...) with its state and last completed checkpoint.
flink_jm_status() {
  local jobs ids id line cp out
  jobs=$(flink__get /jobs/overview) || { echo "REST API not answering"; return 1; }
  out="running jobs: $(jq '[.jobs[] | select(.state == "RUNNING")] | length' <<<"$jobs")"
  ids=$(jq -r '.jobs[] | select(.state | IN("FINISHED", "CANCELED", "FAILED") | not) | .jid' <<<"$jobs")
  for id in $ids; do
    line=$(jq -r --arg id "$id" '.jobs[] | select(.jid == $id) | "\(.name) \(.jid[0:8]) \(.state)"' <<<"$jobs")
    if cp=$(flink__get "/jobs/$id/checkpoints" 2>/dev/null); then
      line+=$(jq -r '
        (.latest.completed // null) as $c
        | if $c == null then ", no completed checkpoint"
          else ", checkpoint #\($c.id) at \($c.latest_ack_timestamp / 1000 | localtime | strftime("%H:%M:%S")) (\($c.end_to_end_duration) ms, \($c.checkpointed_size) B) \($c.external_path | sub("^file:"; ""))"
          end
        + " [\(.counts.completed) ok, \(.counts.failed) failed, \(.counts.restored) restores]"' <<<"$cp")
    fi
    out+="; $line"
  done
  echo "$out"
}

# --------------------------------------------------------------- TaskManager

# flink__tm_role PART: the config folder / scratch name of a TaskManager part.
flink__tm_role() { printf 'tm%s' "${1#flink_tm}"; }

# flink__tm_host PART: the address a TaskManager part listens on.
flink__tm_host() {
  case $1 in
    flink_tm) printf '%s' "$FEED_HOST" ;;
    *) feed_node_addr "${1#flink_tm}" ;;
  esac
}

flink__tm_ports() {
  local base=$FEED_FLINK_PORT_BASE host
  host=$(flink__tm_host "$1")
  echo "$host:$((base + 3)) $host:$((base + 4)) $host:$((base + 5)) $host:$((base + 6))"
}

flink_tm_init() {
  flink_jm_init
}

flink__tm_start() {
  local part=$1 role conf resource_id
  role=$(flink__tm_role "$part")
  if part_running "$part"; then
    feed_say "$part already running (pid $(part_pid "$part"))"
    return 0
  fi
  flink__need_java
  flink_tm_init
  # Working dir, RocksDB instances, blob cache and spill files of a
  # previous TaskManager: after a kill -9 nobody else deletes them.
  flink__wipe "$FEED_DATA/flink/tmp/$role"
  conf=$(flink__render "$role") || return 1
  # A new resource id per start, so that the ready check can tell this
  # TaskManager from a dead one the JobManager has not yet given up on.
  resource_id=feed-$role-$(date +%Y%m%d-%H%M%S)
  printf '%s\n' "$resource_id" >"$conf/resource-id"
  flink__resource_params GET_TM_RESOURCE_PARAMS "$conf"
  flink__launch "$part" "$FLINK_MAIN_TM" "$conf" \
    --configDir "$conf" "${FLINK_DYNAMIC_PARAMS[@]}" -D "taskmanager.resource-id=$resource_id"
}

# Ready once the JobManager lists this TaskManager (by resource id) with slots.
flink__tm_ready() {
  local id
  id=$(cat "$FEED_RUN/flink/$(flink__tm_role "$1")/resource-id" 2>/dev/null) || return 1
  flink__get /taskmanagers | jq -e --arg id "$id" \
    'any(.taskmanagers[]; .id == $id and .slotsNumber > 0)' >/dev/null
}

# One line: registered TaskManagers and slot use.
flink_tm_status() {
  flink__get /overview | jq -r \
    '"taskmanagers: \(.taskmanagers), slots: \(."slots-total" - ."slots-available") used of \(."slots-total")"' \
    2>/dev/null || echo "JobManager REST API not answering"
}

# The part functions of each TaskManager (flink_tm, flink_tm2).
for flink_p in $(flink_tm_parts); do
  eval "${flink_p}_ports() { flink__tm_ports $flink_p; }
        ${flink_p}_start() { flink__tm_start $flink_p; }
        ${flink_p}_ready() { flink__tm_ready $flink_p; }"
  [ "$flink_p" = flink_tm ] || eval "${flink_p}_init() { flink_tm_init; }
        ${flink_p}_status() { printf 'TaskManager at %s' \"\$(flink__tm_host $flink_p)\"; }"
done
unset flink_p
