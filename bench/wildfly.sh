#!/usr/bin/env bash
# Device -> MDB on WildFly 39 with the USMP adapter, beside MQTT (Eclipse Paho) -> Apache Artemis 2.40 ->
# JMS MDB on the same WildFly, in one run (BENCHMARKS.md). Not part of ./test.sh or .ci/run.
#
#   bench/wildfly.sh                  # all parts: usmp mqtt storm boot
#   bench/wildfly.sh usmp storm       # a selection
#
# Builds (no tests), unpacks WildFly and Artemis from Maven Central into arquillian-tests/target (once),
# then runs io.usmp.bench.wildfly.WildFlyBench under the shared lock (USMP_LOCK, default
# /tmp/usmp-it.lock): WildFly on 127.0.0.1 with port offset 500 (HTTP 8580, management 10490), devices
# on 17480/17481, Artemis on 127.0.0.1:61630 (CORE) and 18830 (MQTT). Tables, server output and the
# JFR profile of WildFly land in arquillian-tests/target/bench-wildfly/.
# BENCH_OPTS passes driver settings, e.g. BENCH_OPTS="-Dbench.devices=100 -Dbench.mqtt.devices=100,1000
# -Dbench.measure=8 -Dbench.warmup=4 -Dbench.jfr=false"; MVN_ARGS extra Maven arguments (e.g. -o); BENCH_RAR
# another build of the adapter to measure (A/B), default the one just built; BENCH_WILDFLY_JVM extra JVM
# options for WildFly (e.g. "-XX:+UseZGC -Xlog:gc:file=/tmp/gc.log").
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q ${MVN_ARGS:-} -pl arquillian-tests -am -Pwildfly,wildfly-bench -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false pre-integration-test
t=arquillian-tests/target
wildfly_version=$(sed -n 's:.*<wildfly.version>\(.*\)</wildfly.version>.*:\1:p' pom.xml)
exec flock "${USMP_LOCK:-/tmp/usmp-it.lock}" java -Xms512m -Xmx1g ${BENCH_OPTS:-} \
  -cp "$t/test-classes:$(cat "$t/bench.classpath")" \
  -Djboss.home="$PWD/$t/wildfly-$wildfly_version" -Dartemis.home="$PWD/$t/apache-artemis-2.40.0" \
  -Dbench.rar="${BENCH_RAR:-$PWD/$t/deps/usmp-ra.rar}" -Dbench.out="$PWD/$t/bench-wildfly" \
  io.usmp.bench.wildfly.WildFlyBench "$@"
