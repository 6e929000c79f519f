# stack/parts/job.sh: the Flink fan-out job (job/, built into
# job/target/feed-job.jar), submitted to the session cluster through its
# REST API. Not a process of its own: it runs inside the TaskManager.
#
# Exactly-once across restarts of the whole stack: checkpoints are
# retained (RETAIN_ON_CANCELLATION, see stack/conf/flink), and a new
# submission resumes from the newest retained checkpoint, so the job picks
# up its state and its Kafka offsets where it left them.
# shellcheck shell=bash

FEED_JOB_NAME=feed-fanout
: "${FEED_JOB_JAR:=$FEED_HOME/job/target/feed-job.jar}"
: "${FEED_JOB_CHECKPOINT_MS:=5000}"
# REST submissions ignore the cluster default parallelism: say it here.
: "${FEED_JOB_PARALLELISM:=2}"
# Hot accounts (docs/DATA-MODEL.md "Hot accounts"): from this many
# followers an account's activities are merged into its followers' homes
# at read time instead of copied; empty: the job's defaults (1000, and
# cold again below 3/4 of it). make test and make chaos set them low so
# that their small graphs have hot accounts.
: "${FEED_JOB_HOT_FOLLOWERS:=}"
: "${FEED_JOB_COLD_FOLLOWERS:=}"
# More job arguments, appended to the ones below (words split on blanks),
# e.g. FEED_JOB_ARGS="--feed-in-flight 64" to try a setting of the feed sink.
: "${FEED_JOB_ARGS:=}"

flink_rest() { printf '%s' "${FEED_FLINK_REST:-http://$FEED_HOST:$FEED_FLINK_REST_PORT}"; }

# job_id: the id of our job if it is running (or about to), else nothing.
job_id() {
  curl -fsS --max-time 3 "$(flink_rest)/jobs/overview" 2>/dev/null |
    jq -r --arg name "$FEED_JOB_NAME" '.jobs[] | select(.name == $name)
      | select(.state | IN("RUNNING","CREATED","INITIALIZING","RESTARTING","RECONCILING")) | .jid' | head -n 1
}

job_state() {
  local jid
  jid=$(job_id)
  [ -n "$jid" ] || { echo "not running"; return 0; }
  curl -fsS --max-time 3 "$(flink_rest)/jobs/$jid" | jq -r '.state | ascii_downcase'
}

# The newest completed checkpoint on disk, from any earlier run of the job.
job_latest_checkpoint() {
  local dir=$FEED_DATA/flink/checkpoints
  [ -d "$dir" ] || return 0
  find "$dir" -mindepth 3 -maxdepth 3 -name _metadata -path '*/chk-*/_metadata' -printf '%T@ %h\n' 2>/dev/null |
    sort -rn | head -n 1 | cut -d' ' -f2-
}

job_setup() {
  local log jar_id checkpoint body jid
  log=$(part_logfile job)
  [ -n "$(job_id)" ] && { feed_say "job: $FEED_JOB_NAME already running"; return 0; }
  [ -f "$FEED_JOB_JAR" ] || { feed_say "job: $FEED_JOB_JAR missing; run 'make build'"; return 1; }
  jar_id=$(curl -fsS --max-time 60 -X POST -F "jarfile=@$FEED_JOB_JAR" "$(flink_rest)/jars/upload" 2>>"$log" |
    jq -r '.filename' | xargs -r basename) || true
  [ -n "$jar_id" ] || { feed_say "job: uploading $FEED_JOB_JAR to $(flink_rest) failed"; return 1; }
  checkpoint=$(job_latest_checkpoint)
  body=$(jq -n --arg kafka "$(kafka_bootstrap)" --arg registry "$(registry_url)" \
    --arg redis "${FEED_REDIS_ADDR:-$FEED_HOST:$FEED_REDIS_PORT}" \
    --arg cassandra "$(cassandra_contact_points)" --arg consistency "$FEED_CASSANDRA_CONSISTENCY" \
    --arg interval "$FEED_JOB_CHECKPOINT_MS" --arg checkpoint "$checkpoint" --arg parallelism "$FEED_JOB_PARALLELISM" \
    --arg hot "$FEED_JOB_HOT_FOLLOWERS" --arg cold "$FEED_JOB_COLD_FOLLOWERS" --arg extra "$FEED_JOB_ARGS" '
    {parallelism: ($parallelism | tonumber),
     programArgsList: (["--kafka", $kafka, "--registry", $registry, "--redis", $redis,
                        "--cassandra", $cassandra, "--cassandra-consistency", $consistency,
                        "--checkpoint-interval-ms", $interval,
                        "--topic-prefix", "feed", "--group-id", "feed-fanout"]
                       + (if $hot == "" then [] else ["--hot-followers", $hot] end)
                       + (if $cold == "" then [] else ["--cold-followers", $cold] end)
                       + ($extra | [splits("[ \t]+")] | map(select(. != ""))))}
    + (if $checkpoint == "" then {} else {savepointPath: $checkpoint} end)')
  # An empty body would start the job with its defaults, silently.
  [ -n "$body" ] || { feed_say "job: could not build the submission (jq failed); see above"; return 1; }
  if [ -n "$checkpoint" ]; then
    feed_say "job: resuming $FEED_JOB_NAME from $checkpoint"
  else
    feed_say "job: starting $FEED_JOB_NAME from the beginning of the change topics"
  fi
  printf '%s submit %s\n' "$(date -Is)" "$body" >>"$log"
  jid=$(curl -fsS --max-time 120 -X POST -H 'Content-Type: application/json' --data "$body" \
    "$(flink_rest)/jars/$jar_id/run" 2>>"$log" | jq -r '.jobid // empty')
  [ -n "$jid" ] || { feed_say "job: submission failed; see $log and $(part_logfile flink_jm)"; return 1; }
  printf '%s submitted job %s\n' "$(date -Is)" "$jid" >>"$log"
  job_prune_checkpoints "$FEED_JOB_KEEP_CHECKPOINTS" "${checkpoint%/chk-*}"
  job_prune_jars "$FEED_JOB_KEEP_JARS"
}

# job_prune_checkpoints KEEP [PROTECTED]: delete the retained checkpoint
# folders (one per job run, checkpoints/<job id>/) of all but the KEEP
# newest runs, newest by their latest completed checkpoint, never the
# PROTECTED folder (the one the new run resumes from). Safe: a run restored
# from a retained checkpoint does not own its files (Flink's default
# NO_CLAIM restore mode makes its first checkpoint a full one), and only the
# newest checkpoint is ever resumed from (job_latest_checkpoint).
job_prune_checkpoints() {
  local keep=$1 protected=${2:-} dir=$FEED_DATA/flink/checkpoints run n=0
  [ -d "$dir" ] || return 0
  while read -r run; do
    n=$((n + 1))
    [ "$n" -le "$keep" ] && continue
    [ "$run" = "$protected" ] && continue
    printf '%s pruning old checkpoints %s\n' "$(date -Is)" "$run" >>"$(part_logfile job)"
    rm -rf -- "$run"
  done < <(job_checkpoint_runs "$dir")
}

# job_checkpoint_runs DIR: the job-run folders in DIR, newest first (by their
# newest completed checkpoint, else by the folder's own time).
job_checkpoint_runs() {
  local run newest
  for run in "$1"/*/; do
    run=${run%/}
    [ -d "$run" ] || continue
    newest=$(find "$run" -mindepth 2 -maxdepth 2 -name _metadata -path '*/chk-*/_metadata' -printf '%T@\n' 2>/dev/null |
      sort -rn | head -n 1)
    printf '%s %s\n' "${newest:-$(stat -c %Y "$run")}" "$run"
  done | sort -rn | cut -d' ' -f2-
}

# job_prune_jars KEEP: delete all but the KEEP newest uploaded jars from the
# JobManager (each submission uploads one; they are kept across restarts).
job_prune_jars() {
  local keep=$1 jar
  curl -fsS --max-time 10 "$(flink_rest)/jars" 2>/dev/null |
    jq -r --argjson keep "$keep" '.files | sort_by(-.uploaded) | .[$keep:][] | .id' |
    while read -r jar; do
      curl -fsS --max-time 10 -X DELETE "$(flink_rest)/jars/$jar" >/dev/null 2>&1 ||
        feed_say "job: could not delete the old jar $jar"
    done
}

# job_cancel: cancel the running job, if any (its checkpoints are
# retained on cancel), and wait until it is gone (`feedctl cancel job`;
# `start` or `restart job` resumes it from the newest checkpoint).
job_cancel() {
  local jid i
  jid=$(job_id)
  [ -n "$jid" ] || return 0
  feed_say "job: cancelling $jid (its checkpoints are kept)"
  curl -fsS --max-time 10 -X PATCH "$(flink_rest)/jobs/$jid?mode=cancel" >/dev/null ||
    { feed_say "job: cancelling $jid failed"; return 1; }
  for ((i = 0; i < 120; i++)); do
    [ -z "$(job_id)" ] && return 0
    sleep 0.5
  done
  feed_say "job: $jid did not stop within 60 s"
  return 1
}

# job_restart: cancel the running job and submit the current jar again,
# resuming from the newest checkpoint: how a rebuilt job is deployed
# (`feedctl restart job`).
job_restart() {
  job_cancel || return 1
  job_setup
}

# One line: the job's last completed checkpoint (its Kafka lag is on the
# kafka line).
job_status() {
  local jid
  jid=$(job_id)
  [ -n "$jid" ] || return 0
  curl -fsS --max-time 3 "$(flink_rest)/jobs/$jid/checkpoints" 2>/dev/null | jq -r '
    .latest.completed as $c |
    if $c == null then "no checkpoint yet"
    else "checkpoint \($c.id) \(((now * 1000 - $c.latest_ack_timestamp) / 1000) | floor)s ago" end' |
    tr -d '\n'
}
