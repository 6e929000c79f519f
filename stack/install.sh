#!/usr/bin/env bash
# stack/install.sh: install what the stack needs and is missing.
#   - Debian packages (PostgreSQL 15, Redis, Java 17, Maven, C libraries,
#     clang for the fuzzers, iptables for feedctl cut), with apt-get, as root;
#   - the JVM engines' jars from Maven Central (stack/engines/pom.xml) into
#     var/engines, once per change of that pom;
#   - for the browser test (tests/browser/): Debian's chromium, Node.js and
#     npm when there is no node/npm on the PATH, and playwright-core from
#     the npm registry into tests/browser/node_modules (`npm ci`, the
#     versions of the committed package-lock.json), once per change of it.
# Re-running it when everything is there takes about a second.
set -u -o pipefail
FEED_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$FEED_HOME/stack/lib.sh"

DEBIAN_PACKAGES=(
  postgresql-15 postgresql-contrib redis-server redis-tools
  openjdk-17-jdk-headless maven
  gcc make pkg-config libpq-dev libhiredis-dev libjansson-dev libcmocka-dev libssl-dev libpcre2-dev
  clang-14 libclang-rt-14-dev
  curl jq util-linux procps iproute2 iptables wrk
  shellcheck clang-format-14
  chromium
)
# Node.js: any node >= 18 with its npm will do (a machine may have one
# from elsewhere, whose npm is not Debian's package): Debian's only when
# none is there.
command -v node >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(npm)

missing_packages() {
  local pkg
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing log=$FEED_LOGS/install.log
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    feed_die "install: missing Debian packages: ${missing[*]}; install them as root (sudo apt-get install ${missing[*]}) and run again"
  fi
  feed_say "install: apt-get install ${missing[*]} (log: $log)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >>"$log" 2>&1 || feed_die "install: apt-get update failed; see $log"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 \
    || feed_die "install: apt-get install failed; see $log"
}

# The engines are re-fetched only when a pom under stack/engines changes.
install_engines() {
  local log=$FEED_LOGS/install.log stamp=$FEED_ENGINES/.installed digest failed
  digest=$(cat "$FEED_HOME"/stack/engines/pom.xml "$FEED_HOME"/stack/engines/*/pom.xml | sha256sum | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && return 0
  feed_say "install: fetching engine jars from Maven Central into $FEED_ENGINES (log: $log)"
  if ! JAVA_HOME=$FEED_JAVA_HOME mvn -B -q -f "$FEED_HOME/stack/engines/pom.xml" \
    -Dengines.dir="$FEED_ENGINES" package >>"$log" 2>&1; then
    # Maven names the module (= the engine) whose dependencies failed.
    failed=$(grep -o 'on project [a-z]*' "$log" | tail -n 1 | cut -d' ' -f3)
    feed_die "install: downloading the ${failed:-engine} jars failed (Maven Central unreachable, or a version missing); see $log"
  fi
  printf '%s\n' "$digest" >"$stamp"
}

# playwright-core for tests/browser, re-installed when its lock changes.
install_browser_test() {
  local dir=$FEED_HOME/tests/browser log=$FEED_LOGS/install.log stamp digest
  stamp=$dir/node_modules/.feed-installed
  digest=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && return 0
  feed_say "install: npm ci in tests/browser (playwright-core; log: $log)"
  (cd "$dir" && npm ci --no-audit --no-fund) >>"$log" 2>&1 \
    || feed_die "install: npm ci in tests/browser failed (npm registry unreachable?); see $log"
  printf '%s\n' "$digest" >"$stamp"
}

mkdir -p "$FEED_LOGS" "$FEED_ENGINES"
install_packages
feed_require_java
install_engines
install_browser_test
