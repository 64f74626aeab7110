#!/usr/bin/env bash
# Server CPU per connection lifetime with and without a token (issue: "verification adds less than
# 20 %"). One server start with the verifier configured (a file JWKS this script generates, issuer
# and audience required) and namespace `life` open to anyone, so that the same work runs with and
# without a token; the Node ws reference server beside it (no auth) for context.
# One lifetime (bench/loadgen/Lifetimes.java, AUTH_CONCURRENCY (40) loops, one lifetime after the
# other each): open /ws, system/connected, [token: auth with a pre-generated RS256 token,
# authenticated], subscribe life:<loop>, subscribed, publish one event there, event + ack, close
# 1000, the server's close. After unreported phases of each kind (AUTH_WARM lifetimes, default:
# twice a phase, in two passes over the kinds) so that no phase runs on a cold JIT, token and none
# take turns, the order reversed every other round, then Node's rounds (a WildFly phase right
# after an idle WildFly costs more: see Lifetimes.java). Server CPU from /proc/<pid>/stat around
# each phase divided by the lifetimes completed. AUTH_NODE=0 leaves Node out;
# AUTH_KINDS=token,none,echo adds a phase whose lifetime sends an echo of a token-sized payload in
# place of auth (what the extra message costs without the verification).
# Shipped defaults but the per-address cap and the rate limit (raised as in the other scenarios)
# and ws.resume.grace-ms=5000: at ~500 lifetimes/s the shipped 120 s grace would take the server
# past its ws.max-sessions cap (38,000 detached sessions) in the middle of the run, after which
# every close also expires the oldest session (one record write more): a change of regime between
# rounds. With 5 s every session is created, detached and forgotten within the run.
# Tokens (AUTH_TOKENS (1000) distinct subs, exp 1 h) and the public JWKS go to bench/work/auth/
# (ignored by git); the private key is never written. No token is written to any log: the script
# checks the server's log for every one of them.
# Writes bench/results/auth.{jsonl,json,md} (AUTH_OUT=explore/x: another name); BENCH_JFR=1 records
# the server with JFR into bench/work/auth.jfr (bench/jfr-top.py).
# Usage: bench/run-auth.sh [rounds=3] [lifetimes per phase=5000]
if [ "${BENCH_LOCKED:-}" != 1 ]; then BENCH_LOCKED=1 exec flock /tmp/heavy.lock "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
LIFETIMES=${2:-5000}
CONCURRENCY=${AUTH_CONCURRENCY:-40}
OUT=$RESULTS/${AUTH_OUT:-auth}
ISSUER=https://bench.invalid/auth
AUDIENCE=robust-ws-bench
M2=$HOME/.m2/repository
JOSE_CP=$M2/org/bitbucket/b_c/jose4j/0.9.6/jose4j-0.9.6.jar:$M2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar

build_all
javac -d "$WORK/classes" -cp "$WORK/classes" "$BENCH/loadgen/Lifetimes.java"
mkdir -p "$WORK/tokens-classes" "$WORK/auth"
javac -d "$WORK/tokens-classes" -cp "$JOSE_CP" "$BENCH/loadgen/BenchTokens.java"
rm -f "$WORK/auth/"*
java -cp "$WORK/tokens-classes:$JOSE_CP" BenchTokens jwks="$WORK/auth/jwks.json" \
  tokens="$WORK/auth/tokens.txt" n="${AUTH_TOKENS:-1000}" issuer=$ISSUER audience=$AUDIENCE \
  exp-minutes=60 2>&1 | grep -v '^SLF4J' >&2

start_server -Dws.max-connections-per-address=20000 -Dws.rate.per-second=100000 -Dws.rate.burst=100000 \
  -Dws.resume.grace-ms=5000 \
  -Dmp.jwt.verify.publickey.location="file:$WORK/auth/jwks.json" -Dmp.jwt.verify.issuer=$ISSUER \
  -Dmp.jwt.verify.audiences=$AUDIENCE -Dws.namespace.life.subscribe=anyone -Dws.namespace.life.publish=anyone
SERVER_LOG=$WORK/server/standalone/log/server.log
if grep -q RWS0025 "$SERVER_LOG"; then
  log "the server runs without a key (RWS0025): the verifier is not configured"; exit 1
fi
NODE_ARGS=()
if [ "${AUTH_NODE:-1}" = 1 ]; then
  start_node
  NODE_ARGS=(node-port=$NODE_PORT node-pid=$NODE_PID)
fi
rm -f "$OUT.jsonl"
failures0=$(curl -fsS "$PROM" | awk '/^ws_auth_failures_total\{/ { s += $NF } END { print s + 0 }')
t_start=$(date +%s)
jfr_start auth
java -XX:+UseSerialGC -Xms256m -Xmx1g -cp "$WORK/classes" Lifetimes port=$HTTP_PORT \
  server-pid=$SERVER_PID "${NODE_ARGS[@]}" rounds=$ROUNDS lifetimes=$LIFETIMES \
  warm-lifetimes="${AUTH_WARM:-$((2 * LIFETIMES))}" kinds="${AUTH_KINDS:-token,none}" \
  concurrency=$CONCURRENCY tokens="$WORK/auth/tokens.txt" \
  bind=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 out="$OUT.jsonl"
jfr_stop
log "lifetimes done in $(($(date +%s) - t_start)) s"
failures=$(($(curl -fsS "$PROM" | awk '/^ws_auth_failures_total\{/ { s += $NF } END { print s + 0 }') - failures0))
stop_node
stop_server
# no token in the server's log or console (AuthIT's check, here over every token the run sent)
leaked=$(cat "$SERVER_LOG" "$WORK/server.out" | grep -c -F -f "$WORK/auth/tokens.txt" || true)
log "auth failures counted by the server: $failures; log lines holding a token: $leaked"
[ "$leaked" = 0 ] || { log "a token was written to the server's log"; exit 1; }
python3 "$BENCH/report.py" auth "$(machine_json)" "$OUT.jsonl" "$OUT"
cat "$OUT.md"
