#!/usr/bin/env bash
# The whole benchmark in one command, tables written to one file (BENCHMARKS.md takes them):
#   1. JMH: codec, seal/open, handshake, each beside its bound (raw X25519, AES-GCM, HMAC) measured in the same run;
#   2. the loopback load harness against the standalone gateway (handshakes, echo, latency, idle heap, telemetry);
#   3. bench/wildfly.sh: device -> MDB on WildFly with the RAR beside MQTT -> Artemis -> MDB, and the reconnect storm.
#
#   bench/all.sh                       # everything (about 40 minutes on 2 cores)
#   BENCH_PARTS="jmh load" bench/all.sh
#
# Output: target/bench/<UTC time>/tables.md (plus each part's full log beside it); BENCH_OUT overrides the
# folder. LOAD_OPTS passes harness options (e.g. "-Dbench.load.parts=telemetry"), BENCH_OPTS and MVN_ARGS go
# to bench/wildfly.sh. Run it on a quiet machine: every figure is printed with the load average beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-target/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
tables="$out/tables.md"
{
  echo "# Benchmark run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "- JDK: $(java -version 2>&1 | head -1)"
  echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$tables"

# The markdown of a part's log: its headings, table rows and the lines between them that say what was measured.
keep_tables() { grep -E '^(#|\||\(|Targets|gateway pid|key store|$)' "$1" | cat -s >> "$tables" || true; }

for part in ${BENCH_PARTS:-jmh load wildfly}; do
  echo >> "$tables"
  case $part in
    jmh)
      echo "## JMH (bounds in the same run)" >> "$tables"
      mvn -B -ntp ${MVN_ARGS:-} -pl usmp-jca-provider -Pbench clean process-test-classes 2>&1 | tee "$out/jmh.log"
      keep_tables "$out/jmh.log" ;;
    load)
      echo "## Loopback load harness (standalone gateway JVM)" >> "$tables"
      mvn -B -ntp ${MVN_ARGS:-} -pl usmp-jca-provider -Pbench -Dbench.mode=load "-Dbench.jvm=${LOAD_OPTS:-}" \
        process-test-classes 2>&1 | tee "$out/load.log"
      keep_tables "$out/load.log" ;;
    wildfly)
      echo "## WildFly: device -> MDB beside MQTT -> Artemis -> MDB" >> "$tables"
      bench/wildfly.sh 2>&1 | tee "$out/wildfly.log"
      cat arquillian-tests/target/bench-wildfly/tables.md >> "$tables" ;;
    *) echo "unknown part $part (jmh, load, wildfly)" >&2; exit 2 ;;
  esac
  echo "- Load average after $part: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$tables"
done
echo "tables: $tables"
