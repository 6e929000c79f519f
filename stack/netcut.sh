# stack/netcut.sh: network cuts of one cluster node's part (feedctl cut /
# uncut), with iptables, for the cluster's fault injection (issue 12).
#
# Every node shares the loopback interface, node N listening on
# 127.0.0.N (docs/CLUSTER.md), where node N's other parts listen too
# (kafka3 beside cassandra3). A cut isolates PART alone:
#   - packets to and from PART's own listening ports at 127.0.0.N (its
#     <part>_ports; not its JMX port, which Cassandra binds to 127.0.0.1):
#     what others send to the part and what it answers;
#   - the part's own outgoing connections, which get the source address
#     127.0.0.1 (or 127.0.0.N) and an ephemeral port whatever process opens
#     them: the part's process group moves into a cgroup v2 of its own and
#     OUTPUT packets of sockets made in that cgroup are dropped (iptables
#     -m cgroup --path), which catches the connections it opens during the
#     cut; and every TCP connection its processes already have is dropped
#     by address and port pair (a socket keeps the cgroup it was made in,
#     so the cgroup rule would miss them).
# The node's other parts keep every connection (docs/RELIABILITY.md, known
# problem 9: an earlier cut dropped the whole address, which cut them
# half-way). On loopback every packet goes through OUTPUT, so the OUTPUT
# rules cut both directions; the INPUT ones repeat the port rules for
# safety.
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

# netcut_listen_ports PART ADDR: PART's listening ports at ADDR, one a line
# (from <part>_ports, "host:port" or "port" words; those on another address
# are left out).
netcut_listen_ports() {
  local part=$1 addr=$2 word
  declare -F "${part}_ports" >/dev/null || return 0
  for word in $("${part}_ports"); do
    case $word in
      *:*) [ "${word%:*}" = "$addr" ] && printf '%s\n' "${word##*:}" ;;
      *) [ "$addr" = "$FEED_HOST" ] && printf '%s\n' "$word" ;;
    esac
  done
}

# netcut_rules PART ADDR CGROUP PIDS...: the iptables-restore lines of a cut.
netcut_rules() {
  local part=$1 addr=$2 cgroup=$3 tag pid_re port
  shift 3
  tag=$(netcut_tag "$part")
  pid_re=$(printf 'pid=%s,|' "$@")
  pid_re=${pid_re%|}
  printf '*filter\n'
  for port in $(netcut_listen_ports "$part" "$addr"); do
    printf -- '-I INPUT -p tcp -s %s --sport %s -m comment --comment %s -j DROP\n' "$addr" "$port" "$tag"
    printf -- '-I INPUT -p tcp -d %s --dport %s -m comment --comment %s -j DROP\n' "$addr" "$port" "$tag"
    printf -- '-I OUTPUT -p tcp -s %s --sport %s -m comment --comment %s -j DROP\n' "$addr" "$port" "$tag"
    printf -- '-I OUTPUT -p tcp -d %s --dport %s -m comment --comment %s -j DROP\n' "$addr" "$port" "$tag"
  done
  printf -- '-I OUTPUT -m cgroup --path %s -m comment --comment %s -j DROP\n' "$cgroup" "$tag"
  # Every connection the part's processes have now, whatever its addresses
  # (to or from a listening port above, or an outgoing one of its own).
  ss -tnpH state established 2>/dev/null | grep -E "$pid_re" |
    awk -v t="$tag" '{
      l = $3; r = $4;
      # Java sockets are IPv6 ones with IPv4-mapped addresses
      # ([::ffff:127.0.0.1]:port); on the wire they are IPv4.
      gsub(/\[::ffff:|\]/, "", l); gsub(/\[::ffff:|\]/, "", r);
      lp = l; sub(/.*:/, "", lp); sub(/:[0-9]+$/, "", l);
      rp = r; sub(/.*:/, "", rp); sub(/:[0-9]+$/, "", r);
      if (l !~ /^[0-9.]+$/ || r !~ /^[0-9.]+$/) next;
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
  [ -n "$(netcut_listen_ports "$part" "$addr")" ] || feed_die "cut: $part has no listening port at $addr to cut"
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
