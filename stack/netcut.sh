# stack/netcut.sh: network cuts of one cluster node's part (feedctl cut /
# uncut), with iptables, for the cluster's fault injection (issue 12).
#
# Every node shares the loopback interface, node N listening on
# 127.0.0.N (docs/CLUSTER.md). Dropping packets to and from 127.0.0.N
# cuts what others send to the part and what the part answers, but not the
# part's own outgoing connections: a connection to 127.0.0.1 gets the
# source address 127.0.0.1 whatever process opens it. So a cut also
#   - moves the part's process group into a cgroup v2 of its own and drops
#     OUTPUT packets of sockets made in that cgroup (iptables -m cgroup
#     --path): the connections the part opens during the cut;
#   - drops, by address and port pair, every TCP connection the part's
#     processes already have (a socket keeps the cgroup it was made in, so
#     the cgroup rule would miss them).
# On loopback every packet goes through OUTPUT, so the OUTPUT rules cut
# both directions; the INPUT ones repeat the address rules for safety.
#
# Every rule carries the comment feed-cut:$FEED_VAR:PART, so uncut (and
# `feedctl stop`, and feed-chaos on exit) remove exactly the rules this
# stack added and never anyone else's. Node 1 (FEED_HOST) cannot be cut:
# its address is every client's and every other stack's on this machine.
# Needs root and the iptables package (stack/install.sh installs it).
# shellcheck shell=bash

netcut_tag() { printf 'feed-cut:%s:%s' "$FEED_VAR" "$1"; }

# netcut_cgroup_root: where the cgroup v2 hierarchy is mounted (a pure v2
# machine: /sys/fs/cgroup; a hybrid one: /sys/fs/cgroup/unified).
netcut_cgroup_root() {
  local dir
  for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    [ "$(stat -fc %T "$dir" 2>/dev/null)" = cgroup2fs ] && { printf '%s' "$dir"; return 0; }
  done
  return 1
}

# netcut_cgroup_name PART: this stack's cgroup for PART (FEED_VAR hashed:
# two stacks may cut parts of the same name).
netcut_cgroup_name() { printf 'feed-cut-%s-%s' "$(printf '%s' "$FEED_VAR" | cksum | cut -d' ' -f1)" "$1"; }

# netcut_part_addr PART: the address of a node part (kafka2 -> node 2's).
netcut_part_addr() {
  local n=${1##*[!0-9]}
  [ -n "$n" ] || n=1
  feed_node_addr "$n"
}

# netcut_group_pids PGID: the processes of a part's process group.
netcut_group_pids() { ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g {print $1}'; }

# netcut_rules PART ADDR CGROUP PIDS...: the iptables-restore lines of a cut.
netcut_rules() {
  local part=$1 addr=$2 cgroup=$3 tag pid_re
  shift 3
  tag=$(netcut_tag "$part")
  pid_re=$(printf 'pid=%s,|' "$@")
  pid_re=${pid_re%|}
  printf '*filter\n'
  printf -- '-I INPUT -s %s -m comment --comment %s -j DROP\n' "$addr" "$tag"
  printf -- '-I INPUT -d %s -m comment --comment %s -j DROP\n' "$addr" "$tag"
  printf -- '-I OUTPUT -s %s -m comment --comment %s -j DROP\n' "$addr" "$tag"
  printf -- '-I OUTPUT -d %s -m comment --comment %s -j DROP\n' "$addr" "$tag"
  printf -- '-I OUTPUT -m cgroup --path %s -m comment --comment %s -j DROP\n' "$cgroup" "$tag"
  # The part's existing connections from other addresses (127.0.0.1).
  ss -tnpH state established 2>/dev/null | grep -E "$pid_re" |
    awk -v a="$addr" -v t="$tag" '{
      l = $3; r = $4;
      # Java sockets are IPv6 ones with IPv4-mapped addresses
      # ([::ffff:127.0.0.1]:port); on the wire they are IPv4.
      gsub(/\[::ffff:|\]/, "", l); gsub(/\[::ffff:|\]/, "", r);
      lp = l; sub(/.*:/, "", lp); sub(/:[0-9]+$/, "", l);
      rp = r; sub(/.*:/, "", rp); sub(/:[0-9]+$/, "", r);
      if (l == a || r == a || l !~ /^[0-9.]+$/ || r !~ /^[0-9.]+$/) next;
      printf "-I OUTPUT -p tcp -s %s --sport %s -d %s --dport %s -m comment --comment %s -j DROP\n", l, lp, r, rp, t;
      printf "-I OUTPUT -p tcp -s %s --sport %s -d %s --dport %s -m comment --comment %s -j DROP\n", r, rp, l, lp, t;
    }'
  printf 'COMMIT\n'
}

# netcut_cut PART: isolate PART from every other process.
netcut_cut() {
  local part=$1 addr pid root cgroup pids pidfile
  command -v iptables >/dev/null || feed_die "cut: iptables not found; run 'make install' (Debian package iptables)"
  [ "$(id -u)" = 0 ] || feed_die "cut: needs root (iptables, cgroups)"
  case $FEED_VAR in *[[:space:]]*) feed_die "cut: FEED_VAR has a space; the rules' comments cannot carry it" ;; esac
  pid=$(part_pid "$part") || feed_die "cut: $part is not running"
  addr=$(netcut_part_addr "$part")
  [ "$addr" != "$FEED_HOST" ] \
    || feed_die "cut: $part is on $FEED_HOST, the address every client (and every other stack) uses; only a cluster's other nodes can be cut"
  netcut_list | grep -qx "$part" && feed_die "cut: $part is already cut"
  root=$(netcut_cgroup_root) || feed_die "cut: no cgroup v2 hierarchy mounted (needed to match the part's outgoing packets)"
  cgroup=$(netcut_cgroup_name "$part")
  mkdir -p "$root/$cgroup" || feed_die "cut: cannot make the cgroup $root/$cgroup"
  mapfile -t pids < <(netcut_group_pids "$pid")
  pidfile=$FEED_RUN/cut-$part.pids
  : >"$pidfile"
  for p in "${pids[@]}"; do
    # Its cgroup before the cut, to put it back on uncut.
    printf '%s %s\n' "$p" "$(sed -n 's/^0:://p' "/proc/$p/cgroup" 2>/dev/null)" >>"$pidfile"
    echo "$p" >"$root/$cgroup/cgroup.procs" 2>/dev/null || feed_say "cut: could not move pid $p into $cgroup"
  done
  netcut_rules "$part" "$addr" "$cgroup" "${pids[@]}" | iptables-restore --noflush \
    || { netcut_uncut "$part"; feed_die "cut: iptables-restore failed"; }
  feed_say "cut: $part ($addr, ${#pids[@]} processes) isolated: $(netcut_rules_now | grep -cF -- "--comment $(netcut_tag "$part")") rules"
}

# netcut_rules_now: this machine's rules as iptables -S prints them (each
# as the -A command that made it), quotes removed: iptables quotes every
# comment, and ours hold no space.
netcut_rules_now() { iptables -S 2>/dev/null | tr -d '"'; }

# netcut_remove_rules TAG [prefix]: delete every rule whose comment is TAG
# (or starts with TAG when the second argument is "prefix").
netcut_remove_rules() {
  local tag=$1 mode=${2:-exact} line i comment
  local -a words
  command -v iptables >/dev/null || return 0
  netcut_rules_now | grep -F -- "--comment $tag" | while read -r line; do
    read -r -a words <<<"$line"
    [ "${words[0]}" = -A ] || continue
    comment=
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
      [ "${words[i]}" = --comment ] && comment=${words[i + 1]}
    done
    if [ "$mode" = prefix ]; then
      [ "${comment#"$tag"}" != "$comment" ] || continue
    else
      [ "$comment" = "$tag" ] || continue
    fi
    words[0]=-D
    iptables "${words[@]}" 2>/dev/null || feed_say "uncut: could not delete: $line"
  done
}

# netcut_uncut PART: remove PART's rules, put its processes back in their
# cgroups, remove its cgroup.
netcut_uncut() {
  local part=$1 root cgroup pidfile p orig
  netcut_remove_rules "$(netcut_tag "$part")"
  root=$(netcut_cgroup_root) || return 0
  cgroup=$(netcut_cgroup_name "$part")
  pidfile=$FEED_RUN/cut-$part.pids
  if [ -d "$root/$cgroup" ]; then
    while read -r p; do
      orig=$(awk -v p="$p" '$1 == p {print $2}' "$pidfile" 2>/dev/null)
      [ -d "$root${orig:-/}" ] || orig=/
      echo "$p" >"$root${orig%/}/cgroup.procs" 2>/dev/null || true
    done <"$root/$cgroup/cgroup.procs"
    rmdir "$root/$cgroup" 2>/dev/null || feed_say "uncut: could not remove the cgroup $root/$cgroup"
  fi
  rm -f "$pidfile"
}

# netcut_uncut_all: every cut of this stack (feedctl stop, feed-chaos's
# exit): the rules by their comment prefix, then the cgroups.
netcut_uncut_all() {
  local root dir part
  netcut_remove_rules "feed-cut:$FEED_VAR:" prefix
  root=$(netcut_cgroup_root) || return 0
  for dir in "$root/$(netcut_cgroup_name '')"*; do
    [ -d "$dir" ] || continue
    part=${dir##*/"$(netcut_cgroup_name '')"}
    netcut_uncut "$part"
  done
}

# netcut_list: this stack's parts that are cut now.
netcut_list() {
  command -v iptables >/dev/null || return 0
  netcut_rules_now | grep -F -- "--comment feed-cut:$FEED_VAR:" | awk -v p="feed-cut:$FEED_VAR:" '
    {for (i = 1; i < NF; i++) if ($i == "--comment" && index($(i + 1), p) == 1) print substr($(i + 1), length(p) + 1)}' |
    sort -u
}
