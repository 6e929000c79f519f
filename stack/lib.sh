# stack/lib.sh: shared helpers for starting and stopping the local stack.
#
# Sourced by bin/feedctl and by every stack/parts/*.sh. Each part runs as
# one process in its own session (setsid), so stopping it signals the
# whole process group; its pid lives in $FEED_RUN/NAME.pid and its output
# in $FEED_LOGS/NAME.log.
#
# Conventions for a part file stack/parts/NAME.sh (NAME in [a-z_]):
#   NAME_ports    echo the local ports the part listens on
#   NAME_init     one-time preparation of its data folder (idempotent)
#   NAME_start    launch the process with part_launch (returns at once)
#   NAME_ready    exit 0 once the part answers on its port
#   NAME_setup    create what the pipeline needs in it (idempotent)
#   NAME_status   print one line of extra status (lag, checkpoint, ...)
#   NAME_stop_signal  echo the signal that stops it cleanly (default TERM)
# Functions a part does not need may be left out.

# shellcheck shell=bash

FEED_HOME=${FEED_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export FEED_HOME
# shellcheck source=stack/config.env
. "$FEED_HOME/stack/config.env"
# Only the roots are exported: a child feedctl given another FEED_VAR
# derives its own data, log and run folders from it.
export FEED_VAR FEED_ENGINES FEED_HOST FEED_NODES

# feed_node_addr N: the loopback address of cluster node N (1-based; node 1
# is FEED_HOST), from FEED_NODE_ADDRS.
feed_node_addr() {
  local -a addrs
  read -r -a addrs <<<"$FEED_NODE_ADDRS"
  { [ "$1" -ge 1 ] && [ "$1" -le "${#addrs[@]}" ]; } || feed_die "FEED_NODE_ADDRS has no address for node $1"
  printf '%s' "${addrs[$(($1 - 1))]}"
}

# feed_node_part BASE N: the part name of node N of BASE ("kafka", "kafka2").
feed_node_part() { if [ "$2" -eq 1 ]; then printf '%s' "$1"; else printf '%s%s' "$1" "$2"; fi; }

feed_say() { printf '[feedctl] %s\n' "$*" >&2; }
feed_die() { printf 'feedctl: error: %s\n' "$*" >&2; exit 1; }

# The Java 17 runtime: Cassandra 5 refuses newer ones and every JVM part
# (and Maven, for the job and the engine jars) uses the same one. This is
# the one place that knows where it lives: FEED_JAVA_HOME, then JAVA_HOME,
# then any /usr/lib/jvm/java-17-openjdk-<arch> (Debian's path on every
# architecture); the first whose java says version 17 wins.
feed_find_java() {
  local candidate
  for candidate in "${FEED_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-*; do
    { [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; } || continue
    if "$candidate/bin/java" -version 2>&1 | head -n 1 | grep -q '"17\.'; then
      FEED_JAVA_HOME=$candidate
      FEED_JAVA=$candidate/bin/java
      export FEED_JAVA_HOME FEED_JAVA
      return 0
    fi
  done
  return 1
}

feed_require_java() {
  feed_find_java || feed_die "Java 17 not found (looked at FEED_JAVA_HOME, JAVA_HOME and /usr/lib/jvm/java-17-openjdk-*); run 'make install' or install openjdk-17-jdk-headless"
}

# feed_classpath DIR...: every jar in the folders, joined with ':'.
feed_classpath() {
  local dir jar out=
  for dir in "$@"; do
    [ -d "$dir" ] || feed_die "missing engine folder $dir; run 'make install'"
    for jar in "$dir"/*.jar; do
      [ -e "$jar" ] && out=${out:+$out:}$jar
    done
  done
  printf '%s' "$out"
}

# feed_port_open PORT|HOST:PORT: 0 when something accepts TCP connections
# on it (on FEED_HOST when no host is given).
feed_port_open() {
  local host=$FEED_HOST port=$1
  case $1 in *:*) host=${1%:*} port=${1##*:} ;; esac
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

part_pidfile() { printf '%s/%s.pid' "$FEED_RUN" "$1"; }
part_logfile() { printf '%s/%s.log' "$FEED_LOGS" "$1"; }

# part_pid NAME: print the part's pid and return 0 if it is alive.
part_pid() {
  local pidfile pid
  pidfile=$(part_pidfile "$1")
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

part_running() { part_pid "$1" >/dev/null; }

# The parts this shell launched, so a failed start stops only those.
FEED_LAUNCHED=()

# part_launch NAME CMD...: start CMD in a new session, detached, output
# appended to the part's log. Refuses when any of the part's ports is
# taken by another process, naming the port.
part_launch() {
  local name=$1 port log
  shift
  if part_running "$name"; then
    feed_say "$name already running (pid $(part_pid "$name"))"
    return 0
  fi
  if declare -F "${name}_ports" >/dev/null; then
    for port in $("${name}_ports"); do
      if feed_port_open "$port"; then
        case $port in *:*) port="${port##*:} on ${port%:*}" ;; *) port="$port on $FEED_HOST" ;; esac
        feed_die "$name: port $port is already in use by another process; stop it or set the part's FEED_*_PORT (see stack/config.env)"
      fi
    done
  fi
  mkdir -p "$FEED_LOGS" "$FEED_RUN"
  rm -f "$(part_pidfile "$name")"
  log=$(part_logfile "$name")
  # The whole command line goes to NAME.cmdline (classpaths run to pages).
  printf '%q ' "$@" >"$FEED_RUN/$name.cmdline"
  printf '\n==== %s starting at %s: %.160s... (full command in %s)\n' \
    "$name" "$(date -Is)" "$*" "$FEED_RUN/$name.cmdline" >>"$log"
  FEED_LAUNCHED+=("$name")
  # The child writes its own pid, then execs the command: with job control
  # on, setsid forks, and $! would be setsid's short-lived parent.
  # Descriptors above 2 are closed (feedctl's lock is fd 9: a part holding
  # it would block every later feedctl).
  # The output goes through feed-logpipe, which bounds the log's size
  # (FEED_LOG_MAX_MB, FEED_LOG_KEEP); it ends when the part's last process
  # closes the pipe. Its own stdout and stderr must not be feedctl's: a
  # caller reading feedctl's output through a pipe would wait for it.
  local logpipe=$FEED_HOME/build/bin/feed-logpipe
  # shellcheck disable=SC2016  # $$, $0 and $@ are the child bash's own
  if [ -x "$logpipe" ]; then
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(part_pidfile "$name")" "$@" \
      > >(exec "$logpipe" --max-bytes $((FEED_LOG_MAX_MB * 1024 * 1024)) --keep "$FEED_LOG_KEEP" "$log" \
        >/dev/null 2>>"$FEED_LOGS/feed-logpipe.log" 9>&-) 2>&1 </dev/null 9>&- &
  else
    feed_say "$name: $logpipe is not built ('make build'), so $log is not size-bounded"
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(part_pidfile "$name")" "$@" >>"$log" 2>&1 </dev/null 9>&- &
  fi
  local waited=0
  until [ -s "$(part_pidfile "$name")" ] || [ "$waited" -ge 50 ]; do sleep 0.02; waited=$((waited + 1)); done
}

# part_stop NAME [SECONDS]: signal the part (NAME_stop_signal, else TERM), wait for it
# to exit cleanly, then SIGKILL its whole process group after SECONDS.
part_stop() {
  local name=$1 timeout=${2:-60} pid waited=0 signal=TERM
  pid=$(part_pid "$name") || { rm -f "$(part_pidfile "$name")"; return 0; }
  declare -F "${name}_stop_signal" >/dev/null && signal=$("${name}_stop_signal")
  # Signal the leader only: engines shut their own children down in order
  # (a group-wide signal would hit PostgreSQL's backends directly).
  kill "-$signal" "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((timeout * 5)) ]; then
      feed_say "$name did not stop in ${timeout}s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$(part_pidfile "$name")"
}

# part_kill NAME: kill -9 of the part's process group (fault injection).
part_kill() {
  local pid
  pid=$(part_pid "$1") || return 0
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$(part_pidfile "$1")"
}

# part_wait_ready NAME [SECONDS]: poll NAME_ready until it succeeds. Fails
# with the log's last lines when the process dies or the time runs out.
part_wait_ready() {
  local name=$1 timeout=${2:-$FEED_START_TIMEOUT} start log
  start=$(date +%s)
  log=$(part_logfile "$name")
  until "${name}_ready" >/dev/null 2>&1; do
    if ! part_running "$name"; then
      feed_say "$name exited during start-up; last lines of $log:"
      tail -n 25 "$log" >&2 2>/dev/null
      return 1
    fi
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      feed_say "$name did not become ready within ${timeout}s; see $log"
      tail -n 15 "$log" >&2 2>/dev/null
      return 1
    fi
    sleep 0.5
  done
  feed_say "$name ready in $(($(date +%s) - start))s"
}

# feed_render TEMPLATE OUT: copy TEMPLATE to OUT replacing every @VAR@
# with the value of the environment/shell variable VAR.
feed_render() {
  local template=$1 out=$2 content var
  content=$(cat "$template") || feed_die "cannot read $template"
  while [[ $content =~ @([A-Z_][A-Z0-9_]*)@ ]]; do
    var=${BASH_REMATCH[1]}
    [ -n "${!var+x}" ] || feed_die "$template uses @$var@, which is not set"
    content=${content//@$var@/${!var}}
  done
  mkdir -p "$(dirname "$out")"
  printf '%s\n' "$content" >"$out"
}
