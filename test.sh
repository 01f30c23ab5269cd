#!/usr/bin/env bash
# The project's test command (see README): unit tests, interop CLI checks and the
# Arquillian tests against a WildFly that the build unpacks from Maven Central.
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
exec mvn -B -ntp verify "$@"
