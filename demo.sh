#!/usr/bin/env bash
# The product in one command: builds, provisions WildFly from Maven Central (as the tests do),
# deploys usmp-sample.ear (sample application + resource adapter), starts 20 simulated devices
# and prints "Dashboard: <url>". Ctrl-C stops the devices and the server and checks that nothing
# is left running. Loopback only. Ports: WildFly with offset 300 (HTTP 8380, management 10290),
# devices on 7700; override with USMP_DEMO_OFFSET / USMP_DEMO_DEVICE_PORT / USMP_DEMO_DEVICES.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

offset=${USMP_DEMO_OFFSET:-300}
device_port=${USMP_DEMO_DEVICE_PORT:-7700}
devices=${USMP_DEMO_DEVICES:-20}
http_port=$((8080 + offset))
mgmt_port=$((9990 + offset))
app_url="http://127.0.0.1:${http_port}/usmp-sample/"
wildfly_version=$(sed -n 's:.*<wildfly.version>\(.*\)</wildfly.version>.*:\1:p' pom.xml)
jboss_home="$root/arquillian-tests/target/wildfly-$wildfly_version"

say() { echo "demo: $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! command -v curl >/dev/null 2>&1; then
  say "installing curl"
  apt-get update -qq && apt-get install -y -qq curl >/dev/null
fi
for p in "$http_port" "$mgmt_port" "$device_port"; do
  if port_open "$p"; then
    say "port $p on 127.0.0.1 is in use; stop what listens there or set USMP_DEMO_OFFSET / USMP_DEMO_DEVICE_PORT"
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/usmp-demo.XXXXXX")
chmod 700 "$work"
server_pgid=""
simulator_pgid=""

# Stops a process group: TERM (WildFly shuts down gracefully, the simulator prints its summary),
# then KILL after a bounded wait.
stop_group() {
  local pgid=$1 name=$2
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.5
  done
  say "$name did not stop within 30 s; killing it"
  kill -KILL -- "-$pgid" 2>/dev/null || true
  sleep 1
}

cleanup() {
  trap - EXIT INT TERM
  set +e
  [ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
  if [ -n "$simulator_pgid" ]; then
    stop_group "$simulator_pgid" simulator
    grep '^SUMMARY' "$work/simulator.log" >&2
  fi
  stop_group "$server_pgid" WildFly
  left=0
  for pgid in $simulator_pgid $server_pgid; do
    if kill -0 -- "-$pgid" 2>/dev/null; then say "process group $pgid still runs"; left=1; fi
  done
  for p in "$http_port" "$mgmt_port" "$device_port"; do
    if port_open "$p"; then say "port $p still open"; left=1; fi
  done
  rm -rf "$work"
  if [ "$left" = 0 ]; then say "stopped: no server, no simulator, no open port left"; fi
  exit "$left"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building (tests skipped)"
# Maven's output goes to stderr: stdout carries only the Dashboard line.
mvn -B -q -ntp -Dstyle.color=never package -Dmaven.test.skip=true -pl usmp-jca-provider,usmp-ejb-sample/ear -am >&2
say "unpacking WildFly $wildfly_version from Maven Central (once)"
mvn -B -q -ntp -Dstyle.color=never -pl arquillian-tests dependency:unpack@unpack-wildfly >&2
jar="$root/usmp-jca-provider/target/usmp.jar"
ear="$root/usmp-ejb-sample/ear/target/usmp-sample.ear"

# The PSK keystore of the simulated fleet and its password. The password reaches the server only
# through a jboss-cli script file in the private work directory, and is stored there as an Elytron
# encrypted expression, never in clear.
USMP_KEYSTORE_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export USMP_KEYSTORE_PASSWORD
java -jar "$jar" keystore-gen --keystore "$work/fleet.p12" --devices "$devices" >&2

# The server runs on its own base directory (configuration, data, logs) so the unpacked
# distribution, which the tests use, stays untouched.
mkdir -p "$work/server/deployments"
cp -r "$jboss_home/standalone/configuration" "$work/server/"
say "starting WildFly (log: $work/server/log/server.log)"
setsid "$jboss_home/bin/standalone.sh" -Djboss.server.base.dir="$work/server" \
  -Djboss.socket.binding.port-offset="$offset" -b 127.0.0.1 -bmanagement 127.0.0.1 \
  -Djboss.bind.address.private=127.0.0.1 -Djava.net.preferIPv4Stack=true >"$work/server.out" 2>&1 &
server_pgid=$!

cli() { "$jboss_home/bin/jboss-cli.sh" -c --controller="127.0.0.1:$mgmt_port" --timeout=60000 "$@"; }

wait_running() {
  for _ in $(seq 1 240); do
    if cli --command=':read-attribute(name=server-state)' 2>/dev/null | grep -q '"running"'; then return 0; fi
    kill -0 "$server_pgid" 2>/dev/null || { say "WildFly exited; see its output:"; cat "$work/server.out" >&2; exit 1; }
    sleep 1
  done
  say "WildFly did not start within 240 s"
  exit 1
}
wait_running

say "configuring WildFly: password expression, system properties, ejb3 defaults, reload, deploy"
cat >"$work/expression.cli" <<EOF
/subsystem=elytron/secret-key-credential-store=usmp:add(path=usmp.cs, relative-to=jboss.server.data.dir, create=true, populate=true)
/subsystem=elytron/expression=encryption:add(resolvers=[{name=usmp, credential-store=usmp, secret-key=key}])
/subsystem=elytron/expression=encryption:create-expression(resolver=usmp, clear-text="$USMP_KEYSTORE_PASSWORD")
EOF
expression=$(cli --file="$work/expression.cli" | sed -n 's/.*"expression" => "\(\${ENC::[^"]*}\)".*/\1/p')
rm -f "$work/expression.cli"
[ -n "$expression" ] || { say "no encrypted expression from the server"; exit 1; }
# The command endpoint enlists the database and the adapter (a one-phase, LocalTransaction
# resource) in one transaction; WildFly allows one one-phase resource per transaction, so the
# default datasource becomes an XA one (H2 in memory, like ExampleDS). See README, "Sample application".
cat >"$work/configure.cli" <<EOF
/system-property=usmp.keystore:add(value="$work/fleet.p12")
/system-property=usmp.keystore.password:add(value="$expression")
/system-property=usmp.port:add(value=$device_port)
batch
/subsystem=datasources/xa-data-source=UsmpXADS:add(driver-name=h2, jndi-name=java:jboss/datasources/UsmpXADS, user-name=sa, password=sa)
/subsystem=datasources/xa-data-source=UsmpXADS/xa-datasource-properties=URL:add(value="jdbc:h2:mem:usmp;DB_CLOSE_DELAY=-1")
run-batch
/subsystem=ee/service=default-bindings:write-attribute(name=datasource, value=java:jboss/datasources/UsmpXADS)
/subsystem=ejb3:write-attribute(name=default-resource-adapter-name, value=usmp-sample.ear#usmp-ra.rar)
/subsystem=ejb3:write-attribute(name=default-mdb-instance-pool, value=mdb-strict-max-pool)
EOF
cli --file="$work/configure.cli" >/dev/null
# default-mdb-instance-pool (and the datasource binding) take effect after a reload. The CLI waits
# for the server to come back, but may give up first on a slow machine: wait_running decides.
cli --command=reload >/dev/null 2>&1 || true
wait_running
cli --command="deploy $ear" >&2

for i in $(seq 1 120); do
  if curl -sf -o /dev/null "${app_url}api/stats"; then break; fi
  [ "$i" = 120 ] && { say "the application did not answer at ${app_url}"; exit 1; }
  sleep 1
done

say "starting $devices simulated devices (log: $work/simulator.log)"
setsid java -jar "$jar" simulate --host 127.0.0.1 --port "$device_port" --devices "$devices" --rate 1 \
  --keystore "$work/fleet.p12" >"$work/simulator.log" 2>&1 &
simulator_pgid=$!

for i in $(seq 1 60); do
  if curl -sf -o "$work/index.html" "$app_url" && grep -q '<title>USMP devices</title>' "$work/index.html"; then break; fi
  [ "$i" = 60 ] && { say "the dashboard did not answer at $app_url"; exit 1; }
  sleep 1
done
# A first look at the page should show devices: give the fleet's handshakes up to 60 s.
for _ in $(seq 1 60); do
  curl -sf "${app_url}api/stats" | grep -q '"online":[1-9]' && break
  sleep 1
done
echo "Dashboard: $app_url"
say "Ctrl-C stops the devices and the server. Simulator status:"
tail -n +1 -f "$work/simulator.log" >&2 &
tail_pid=$!
wait "$simulator_pgid" || true
say "the simulator exited"
