#!/usr/bin/env bash
# Fuzzes every USMP fuzz target briefly (Jazzer, profile "fuzz" of this module) and exits non-zero
# when any of them finds something. Run from anywhere; needs JDK 17 and Maven, like the build.
#
#   usmp-jca-provider/fuzz.sh                      # every target, FUZZ_SECONDS (default 10) each
#   FUZZ_SECONDS=600 usmp-jca-provider/fuzz.sh 'EstablishedSessionFuzzTest#serverSession'
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=86400 usmp-jca-provider/fuzz.sh   # a campaign: 10 million executions each
#
# A finding is saved as crash-<sha1> in the target's Inputs folder under src/test/resources (commit
# it: from then on every build replays it) and the failing run's output says what broke. The corpus
# grown by a run is kept in usmp-jca-provider/.cifuzz-corpus/ (not in git) for the next one.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-10}"
runs=()   # libFuzzer -runs: stop after that many executions (whichever of time and count comes first)
if [ -n "${FUZZ_RUNS:-}" ]; then runs=("-Djazzer.internal.arg.4=-runs=${FUZZ_RUNS}"); fi
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(
    'FrameDecoderFuzzTest#decode'
    'ServerHandshakeFuzzTest#serverHandshake'
    'ClientHandshakeFuzzTest#clientHandshake'
    'EstablishedSessionFuzzTest#serverSession'
  )
fi

# Compile once; each target then runs surefire alone.
mvn -B -ntp -q -pl usmp-jca-provider test-compile || exit 2

failed=()
for target in "${targets[@]}"; do
  echo "== fuzzing ${target} for ${seconds} s${FUZZ_RUNS:+ or ${FUZZ_RUNS} executions}"
  log="usmp-jca-provider/target/fuzz-$(echo "${target}" | tr '#' '-').log"
  if mvn -B -ntp -pl usmp-jca-provider -Pfuzz surefire:test -Dtest="${target}" -Dfuzz.duration="${seconds}" "${runs[@]}" \
      -Dsurefire.failIfNoSpecifiedTests=false >"${log}" 2>&1; then
    grep -E '^#[0-9]+ +DONE|^Done [0-9]+ runs' "${log}" || true
  else
    failed+=("${target}")
    grep -E '^== Java Exception|^Caused by|^\s+at io\.usmp|crash-|^#[0-9]+ +DONE|FuzzTestFinding|Tests run:' "${log}" | head -40
    echo "!! ${target}: finding or failure, full output in ${log}"
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds} s each, no findings"
