#!/usr/bin/env bash
# Runs the benchmark suite (docs/benchmarks.md tells what it measures).
#   bench/run.sh            full run (about 15 minutes), writes docs/benchmarks.md and docs/benchmarks-latency.svg
#   bench/run.sh --quick    smoke run (about a minute), writes bench/results/quick/
#   bench/run.sh --only 2   only some scenarios (1 end to end, 2 fan-out, 3 persistence, 4 idle, 5 reconnect storm)
#   bench/run.sh --channel  the cross-node channel's ceiling (docs/multi-node.md): about 3 minutes, prints only
#   bench/run.sh --report A,B  rewrites docs/benchmarks.md from saved results.json files (B's scenarios replace A's)
# BENCH_SERVER_JVM (default "-Xmx4g -XX:+UseG1GC") and CHAT_BUS (default postgres) change the server under test.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Java 17, Maven and Node.js with npm.
# Everything runs over loopback; nothing is contacted except the npm registry for the reference servers.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bench] %s\n' "$*"; }

# Each socket is a file descriptor, in the server and in the load tool. Raise the soft limit as far
# as the hard limit allows (a container may cap the hard limit; the idle scenario reports where it stopped).
hard=$(ulimit -Hn)
want=1048576
if [ "$hard" != "unlimited" ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want" 2>/dev/null || ulimit -n "$hard" 2>/dev/null || true
log "open files: soft $(ulimit -n), hard $(ulimit -Hn)"

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  log "PostgreSQL is not answering on 127.0.0.1:5432"
  exit 1
fi

log "installing the reference servers (npm ci in bench/)"
(cd bench && npm ci --no-audit --no-fund --loglevel=error)

log "compiling (mvn test-compile)"
mvn -B -q -o test-compile 2>/dev/null || mvn -B -q test-compile
mvn -B -q -o org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null 2>&1 \
  || mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"

run_java() { java -Xmx3g -XX:+UseG1GC -Dlogback.configurationFile=logback-bench.xml -cp "$cp" "$@"; }

if [ "${1:-}" = "--channel" ]; then
  log "channel ceiling: PgChatBus between two buses (15 s a series), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  run_java com.cobotchat.bench.ChannelCeiling 15
  for rate in 2.5 5 10; do
    log "chat messages across two full nodes: 400 senders at $rate msg/s each"
    run_java com.cobotchat.bench.CrossNodeLoad 400 20 15 "$rate"
  done
  exit 0
fi

export BENCH_COMMAND="bench/run.sh${*:+ $*}"
log "running: $BENCH_COMMAND (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
run_java com.cobotchat.bench.Bench "$@"
