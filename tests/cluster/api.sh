# tests/cluster/api.sh: the feed API as the cluster scripts use it
# (tests/cluster/failover, tests/cluster/pg-failover), sourced by them.
# The caller sets API (the API's URL), tmp (a scratch folder) and run_id
# (makes handles unique), and has stack/lib.sh sourced (feed_die).
# shellcheck shell=bash
# shellcheck disable=SC2154  # API, tmp and run_id are the caller's

# api CURL-ARGS...: one request; prints the HTTP status (000 when no answer
# came), the body goes to $tmp/body.
api() { curl -sS --max-time 10 -o "$tmp/body" -w '%{http_code}' "$@" 2>/dev/null || echo 000; }

# new_user NAME: a new user NAME<run_id>; prints "ID TOKEN".
new_user() {
  local code
  code=$(api -XPOST "$API/v1/users" -d "{\"handle\":\"$1$run_id\",\"display_name\":\"$1\"}")
  [ "$code" = 201 ] || [ "$code" = 200 ] ||
    feed_die "$(basename "$0"): creating user $1 answered $code: $(cat "$tmp/body")"
  jq -r '"\(.user.id) \(.token)"' "$tmp/body"
}

# home_ids USER TOKEN: USER's home feed (first 200 items), one id per
# line; 1 when the read fails (said on stderr).
home_ids() {
  local code
  code=$(api "$API/v1/users/$1/home?limit=200" -H "Authorization: Bearer $2")
  if [ "$code" != 200 ]; then
    printf '  %s feed read failed: %s %.200s\n' "$(date +%T.%N | cut -c1-12)" "$code" "$(cat "$tmp/body")" >&2
    return 1
  fi
  jq -r '.items[].id' "$tmp/body"
}
