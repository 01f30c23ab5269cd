#!/usr/bin/env bash
# Runs the end-to-end suite (arquillian-tests) on each server in turn and prints the time per server.
#
#   arquillian-tests/run-servers.sh                      # wildfly payara6 payara7 micro7
#   arquillian-tests/run-servers.sh wildfly payara6      # a selection, in this order
#
# Servers: wildfly (WildFly 39, JDK 17+), payara6 (Payara Server 6.2025.10, JDK 17+),
# payara7 (Payara Server 7.2025.1, needs JDK 21+: PAYARA7_JAVA_HOME, default Temurin 25), micro7 (Payara
# Micro 7.2025.1, the same JDK as payara7).
# Every server is unpacked from Maven Central into arquillian-tests/target/ and started and stopped by
# Arquillian; each run rebuilds the modules it needs (-am) but runs no unit tests (./test.sh does).
# Environment: MVN_ARGS (extra Maven arguments, e.g. -o), USMP_IT_EXCLUDE (comma-separated test classes
# to leave out everywhere, e.g. SampleIT), USMP_LOCK (a file to flock around each server run, because the
# device ports 17400-17499 are shared with other runs on this machine; default none), USMP_EARLIER_ROW (a row
# for the top of the table, from a server run before this script: ./test.sh's WildFly build).
# Failsafe reports of each server are kept in arquillian-tests/target/failsafe-reports-<server>.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then servers=("$@"); else servers=(wildfly payara6 payara7 micro7); fi
payara7_java="${PAYARA7_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

pattern='io/usmp/it/**/*IT.java'
for c in $(echo "${USMP_IT_EXCLUDE:-}" | tr ',' ' '); do pattern="$pattern,!**/$c.java"; done

declare -a summary
[ -z "${USMP_EARLIER_ROW:-}" ] || summary+=("$USMP_EARLIER_ROW")
status=0
total_start=$(date +%s)
for s in "${servers[@]}"; do
  extra=()
  p="$pattern"
  case "$s" in
    wildfly|payara6) ;;
    payara7|micro7)
      # Payara-Server-only and standalone-RAR classes: see the micro7 profile in the pom
      [ "$s" = micro7 ] && p="$p,!**/PayaraPasswordAliasIT.java,!**/StandaloneRarIT.java,!**/AdapterHeapHygieneIT.java"
      if [ ! -x "$payara7_java/bin/java" ]; then
        summary+=("$(printf '%-10s %-8s %6s  %s' "$s" SKIPPED - "no JDK 21+ at $payara7_java (set PAYARA7_JAVA_HOME)")")
        continue
      fi
      extra+=("-Dpayara.java.home=$payara7_java") ;;
    *) echo "unknown server $s (wildfly, payara6, payara7, micro7)" >&2; exit 2 ;;
  esac
  # failsafe merges into an existing summary file: start every server from clean reports
  rm -rf usmp-jca-provider/target/failsafe-reports usmp-ra/target/failsafe-reports arquillian-tests/target/failsafe-reports
  log="arquillian-tests/target/run-$s.log"
  mkdir -p arquillian-tests/target
  echo "=== $s: mvn verify -pl arquillian-tests -am -Dusmp.server=$s (log: $log)"
  start=$(date +%s)
  cmd=(mvn -B -ntp ${MVN_ARGS:-} verify -pl arquillian-tests -am -Dusmp.server="$s"
       -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
       -Dit.test="$p" -Dfailsafe.failIfNoSpecifiedTests=false "${extra[@]}")
  if [ -n "${USMP_LOCK:-}" ]; then cmd=(flock "$USMP_LOCK" "${cmd[@]}"); fi
  "${cmd[@]}" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  rm -rf "arquillian-tests/target/failsafe-reports-$s"
  [ -d arquillian-tests/target/failsafe-reports ] && cp -r arquillian-tests/target/failsafe-reports "arquillian-tests/target/failsafe-reports-$s"
  tests=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$log" | grep -v ' in ' | sed 's/^\[[A-Z]*\] //' | paste -sd ';' -)
  if [ $rc -eq 0 ]; then result=PASSED; else result=FAILED; status=1; fi
  mvn_time=$(sed -n 's/^\[INFO\] Total time: *//p' "$log" | tail -1)   # Maven's own time, without waiting for USMP_LOCK
  line=$(printf '%-10s %-8s %4dm%02ds  (maven %s)  %s' "$s" "$result" $((secs / 60)) $((secs % 60)) "${mvn_time:-?}" "$tests")
  echo "$line"
  [ $rc -eq 0 ] || grep -E 'Tests run:.*FAILURE|<<< (FAILURE|ERROR)' "$log" | head -20
  summary+=("$line")
done
echo
echo "server     result      time  (maven time)  tests (suite; server-log scan)"
printf '%s\n' "${summary[@]}"
t=$(( $(date +%s) - total_start ))
printf 'total %dm%02ds\n' $((t / 60)) $((t % 60))
exit $status
