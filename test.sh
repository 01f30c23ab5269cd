#!/usr/bin/env bash
# The project's test command (see README): the Maven build with its unit tests, interop CLI checks and
# the end-to-end suite (arquillian-tests) on WildFly, then the same end-to-end suite on every Payara
# server through arquillian-tests/run-servers.sh; prints the time per server and fails if any failed.
#
#   ./test.sh                                  # wildfly payara6 payara7 micro7
#   USMP_SERVERS="wildfly payara7" ./test.sh   # a selection (the unit tests always run)
#
# Every server comes from Maven Central; Payara 7 and Payara Micro 7 run on JDK 21+ (PAYARA7_JAVA_HOME, see
# run-servers.sh). The sample's dashboard test drives Debian's headless Chromium, installed here when missing.
# Extra arguments go to the Maven build.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven is required (apt-get install maven)" >&2
  exit 1
fi
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "${java_major:-0}" -lt 17 ]; then
  echo "JDK 17 or newer is required (found ${java_major:-none})" >&2
  exit 1
fi

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y chromium chromium-driver
fi

read -r -a servers <<< "${USMP_SERVERS:-wildfly payara6 payara7 micro7}"
others=()
wildfly=false
for s in "${servers[@]}"; do
  if [ "$s" = wildfly ]; then wildfly=true; else others+=("$s"); fi
done

# WildFly is the build's default server: its end-to-end suite runs inside `mvn verify`.
build=(mvn -B -ntp verify)
$wildfly || build+=(-pl '!arquillian-tests')
# USMP_LOCK: a file to flock around each server run (this build's and run-servers.sh's), see run-servers.sh.
[ -z "${USMP_LOCK:-}" ] || build=(flock "$USMP_LOCK" "${build[@]}")
# failsafe merges into an existing summary file: a failure left by an earlier run would count again.
rm -rf arquillian-tests/target/failsafe-reports
start=$(date +%s)
rc=0
"${build[@]}" "$@" || rc=$?
secs=$(( $(date +%s) - start ))
if $wildfly; then
  f=arquillian-tests/target/failsafe-reports/failsafe-summary.xml
  tests=$(sed -n 's:.*<\(completed\|errors\|failures\|skipped\)>\([0-9]*\)</.*:\1 \2:p' "$f" 2>/dev/null | paste -sd ' ' -)
  if [ $rc -eq 0 ]; then result=PASSED; else result=FAILED; fi
  # The row run-servers.sh puts on top of its table; the time includes the unit tests.
  export USMP_EARLIER_ROW
  USMP_EARLIER_ROW=$(printf '%-10s %-8s %4dm%02ds  (maven build, unit tests included)  %s' wildfly "$result" \
      $((secs / 60)) $((secs % 60)) "${tests:-no summary}")
elif [ $rc -ne 0 ]; then
  echo "the Maven build failed" >&2
fi

if [ ${#others[@]} -gt 0 ]; then
  # Reuses what the build compiled; each server run repackages the modules it needs but runs no unit test.
  arquillian-tests/run-servers.sh "${others[@]}" || rc=1
elif [ -n "${USMP_EARLIER_ROW:-}" ]; then
  echo "$USMP_EARLIER_ROW"
fi
exit $rc
