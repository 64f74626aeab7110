#!/usr/bin/env bash
# Three WildFly nodes on this machine, one cluster, and HAProxy in front of them:
# ws://127.0.0.1:8000/ws (and /ws-legacy, the test page, /api).
#
#   cluster/cluster.sh start             build if needed; start node-1, node-2, node-3 one after
#                                        another (each waits until ready), then HAProxy
#   cluster/cluster.sh stop              HAProxy, then every node (SIGTERM: drain, 1012, stop)
#   cluster/cluster.sh status            which nodes answer /health/ready
#   cluster/cluster.sh start-node N      start one node (again) and wait until it is ready
#   cluster/cluster.sh stop-node N       stop one node gracefully (SIGTERM)
#   cluster/cluster.sh kill-node N       SIGKILL one node (a crash)
#
# Node N runs from the provisioned target/server with its own base directory target/cluster/node-N
# (log: node-N/log/server.log), -Djboss.node.name=node-N and port offset N*100: HTTP 8080+N*100,
# management 9990+N*100, JGroups 7600+N*100. cluster/configure-node.cli turns the provisioned
# one-node configuration into the nodes' (JGroups over TCP on loopback, replicated caches).
# Each node's standalone.sh gets this script's environment unchanged: WS_* settings apply to all
# three.
# CLUSTER_DIR moves target/cluster; CLUSTER_BOOT_TIMEOUT (seconds, default 120) bounds a start;
# CLUSTER_EXTRA_CLI names a file of more CLI commands applied after configure-node.cli.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER=$ROOT/target/server
WAR=$ROOT/target/robust-websocket.war
DIR=${CLUSTER_DIR:-$ROOT/target/cluster}
BOOT_TIMEOUT=${CLUSTER_BOOT_TIMEOUT:-120}
NODES=(1 2 3)

log() { echo "[cluster $(date +%T)] $*" >&2; }

offset() { echo $(($1 * 100)); }
mgmt_port() { echo $((9990 + $(offset "$1"))); }
pid_file() { echo "$DIR/node-$1.pid"; }

alive() { # alive PIDFILE
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

ready() {
  curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$(mgmt_port "$1")/health/ready"
}

# The WAR and the provisioned server (the first build takes a few minutes).
build() {
  if [ ! -x "$SERVER/bin/standalone.sh" ] || [ ! -f "$WAR" ]; then
    log "building the WAR and provisioning target/server"
    (cd "$ROOT" && mvn -B -q package -Dmaven.test.skip)
  fi
}

# $DIR/template: the provisioned standalone/ folder with configure-node.cli (and CLUSTER_EXTRA_CLI)
# applied, offline.
template() {
  local t=$DIR/template
  rm -rf "$t"
  mkdir -p "$DIR"
  cp -r "$SERVER/standalone" "$t"
  rm -rf "$t/data" "$t/log" "$t/tmp" "$t"/deployments/*
  { echo "embed-server --server-config=standalone.xml --std-out=discard"
    cat "$ROOT/cluster/configure-node.cli" ${CLUSTER_EXTRA_CLI:+"$CLUSTER_EXTRA_CLI"}
    echo "stop-embedded-server"; } >"$DIR/configure-node.cli"
  if ! JAVA_OPTS="-Djboss.server.base.dir=$t" "$SERVER/bin/jboss-cli.sh" \
      --file="$DIR/configure-node.cli" >"$DIR/configure-node.log" 2>&1; then
    cat "$DIR/configure-node.log" >&2
    log "configuring the nodes' template failed"
    return 1
  fi
}

# A fresh base directory for node N from the template, with the WAR to deploy at boot. The log of
# the node's previous life is kept as node-N.previous.log.
prepare_node() {
  if [ -f "$DIR/node-$1/log/server.log" ]; then
    mv "$DIR/node-$1/log/server.log" "$DIR/node-$1.previous.log"
  fi
  rm -rf "$DIR/node-$1"
  cp -r "$DIR/template" "$DIR/node-$1"
  cp "$WAR" "$DIR/node-$1/deployments/"
}

# What every running node makes of the cluster, for a node that did not become ready: its members
# (the JGroups view its command dispatcher sees) on stderr, its threads in $DIR/node-N.threads.
diagnose() {
  local m members
  for m in "${NODES[@]}"; do
    alive "$(pid_file "$m")" || continue
    members=$(curl -fs --max-time 2 "http://127.0.0.1:$(mgmt_port "$m")/prometheus" |
      awk '/^ws_cluster_members/ {print $2}')
    log "node-$m: ws_cluster_members ${members:-unknown}; threads in $DIR/node-$m.threads"
    jcmd "$(cat "$(pid_file "$m")")" Thread.print >"$DIR/node-$m.threads" 2>&1 || true
  done
}

start_node() {
  local n=$1
  if alive "$(pid_file "$n")"; then
    log "node-$n is running already"
    return 0
  fi
  [ -d "$DIR/node-$n" ] || prepare_node "$n"
  # A node that was killed left its deployment marked as deployed: the scanner deploys it again.
  rm -f "$DIR/node-$n"/deployments/*.failed
  log "starting node-$n (HTTP $((8080 + $(offset "$n"))), management $(mgmt_port "$n"))"
  JBOSS_PIDFILE=$(pid_file "$n") LAUNCH_JBOSS_IN_BACKGROUND=1 \
    setsid "$SERVER/bin/standalone.sh" \
    -Djboss.server.base.dir="$DIR/node-$n" \
    -Djboss.node.name="node-$n" \
    -Djboss.socket.binding.port-offset="$(offset "$n")" \
    -Dorg.wildfly.sigterm.suspend.timeout=5 \
    >"$DIR/node-$n.out" 2>&1 </dev/null &
  local deadline=$((SECONDS + BOOT_TIMEOUT))
  until ready "$n"; do
    if [ $SECONDS -ge $deadline ] || { [ -f "$(pid_file "$n")" ] && ! alive "$(pid_file "$n")"; }; then
      { grep -v WFLYMPHEALTH0003 "$DIR/node-$n/log/server.log" 2>/dev/null || cat "$DIR/node-$n.out"; } |
        tail -n 40 >&2
      log "node-$n did not become ready within ${BOOT_TIMEOUT}s"
      diagnose
      return 1
    fi
    sleep 0.5
  done
  log "node-$n ready"
}

# Waits until node N's JVM has exited (at most 60 s).
await_exit() {
  local pidfile i
  pidfile=$(pid_file "$1")
  for i in $(seq 1 120); do
    alive "$pidfile" || { rm -f "$pidfile"; return 0; }
    sleep 0.5
  done
  log "node-$1 did not stop within 60 s"
  return 1
}

stop_node() {
  if alive "$(pid_file "$1")"; then
    log "stopping node-$1"
    kill -TERM "$(cat "$(pid_file "$1")")"
    await_exit "$1"
  fi
}

kill_node() {
  if alive "$(pid_file "$1")"; then
    log "killing node-$1 (SIGKILL)"
    kill -KILL "$(cat "$(pid_file "$1")")"
    await_exit "$1"
  fi
}

start_haproxy() {
  if alive "$DIR/haproxy.pid"; then return 0; fi
  /usr/sbin/haproxy -f "$ROOT/cluster/haproxy.cfg" -db >"$DIR/haproxy.log" 2>&1 </dev/null &
  echo $! >"$DIR/haproxy.pid"
  local i
  for i in $(seq 1 50); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:8000/health/ready" 2>/dev/null \
        || curl -s -o /dev/null --max-time 2 "http://127.0.0.1:8000/"; then
      log "HAProxy on ws://127.0.0.1:8000/ws"
      return 0
    fi
    alive "$DIR/haproxy.pid" || break
    sleep 0.2
  done
  cat "$DIR/haproxy.log" >&2
  log "HAProxy did not start"
  return 1
}

stop_haproxy() {
  if alive "$DIR/haproxy.pid"; then
    kill -TERM "$(cat "$DIR/haproxy.pid")"
    rm -f "$DIR/haproxy.pid"
  fi
}

check_ports() {
  local port
  for port in 8000 8404 8180 8280 8380 10090 10190 10290 7700 7800 7900; do
    if ss -Hltn "sport = :$port" | grep -q .; then
      log "port $port is in use (a cluster left running? cluster/cluster.sh stop)"
      return 1
    fi
  done
}

case "${1:-}" in
  start)
    check_ports
    build
    template
    for n in "${NODES[@]}"; do prepare_node "$n"; done
    for n in "${NODES[@]}"; do start_node "$n"; done
    start_haproxy
    ;;
  stop)
    stop_haproxy
    for n in "${NODES[@]}"; do
      if alive "$(pid_file "$n")"; then kill -TERM "$(cat "$(pid_file "$n")")"; fi
    done
    for n in "${NODES[@]}"; do await_exit "$n"; done
    log "stopped"
    ;;
  status)
    for n in "${NODES[@]}"; do
      if ready "$n"; then echo "node-$n ready"; elif alive "$(pid_file "$n")"; then echo "node-$n not ready"; else echo "node-$n stopped"; fi
    done
    if alive "$DIR/haproxy.pid"; then echo "haproxy running"; else echo "haproxy stopped"; fi
    ;;
  start-node) start_node "${2:?node number}" ;;
  stop-node) stop_node "${2:?node number}" ;;
  kill-node) kill_node "${2:?node number}" ;;
  *)
    echo "usage: $0 start|stop|status|start-node N|stop-node N|kill-node N" >&2
    exit 2
    ;;
esac
