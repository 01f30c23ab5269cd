#!/usr/bin/env bash
# Demo: builds the CLI, starts a standalone USMP gateway on loopback and runs a simulated device
# against it (echo of a text message, a 1808-byte fragmented message and an empty one).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp -pl usmp-jca-provider -am package -Dmaven.test.skip=true
jar=usmp-jca-provider/target/usmp.jar
work=$(mktemp -d)
trap 'kill "${gw:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
(umask 077; head -c 32 /dev/urandom > "$work/psk.bin")
port=${USMP_DEMO_PORT:-7400}
java -jar "$jar" gateway --port "$port" --psk-file "$work/psk.bin" --device-id a1b2c3d4e5f6 --echo > "$work/gateway.out" &
gw=$!
for _ in $(seq 1 100); do grep -q '^READY' "$work/gateway.out" 2>/dev/null && break; sleep 0.1; done
cat "$work/gateway.out"
java -jar "$jar" device --host 127.0.0.1 --port "$port" --psk-file "$work/psk.bin" --device-id a1b2c3d4e5f6 \
  --send "$(printf 'temp=21.5;hum=40' | od -An -tx1 | tr -d ' \n')" --gen 1808 --gen 0 --expect-echo
sleep 0.5
echo "--- gateway saw:"
cut -c1-120 "$work/gateway.out"
