#!/bin/sh
# Usage: patch-domain.sh <domain.xml>
# Run by the payara profiles (pre-integration-test) on target/payara*/glassfish/domains/domain1.
# Every run starts from the domain.xml of the distribution (kept as domain.xml.orig on the first run) with
# no deployments and no logs from an earlier run, like WildFly's read-only standalone.xml; then:
# all ports into the 2xxxx range (admin 24848, HTTP 28080, HTTPS 28181, IIOP 23700/23820/23920,
# JMX 28686, Hazelcast 24900/25900, debug 29009), everything bound to 127.0.0.1, the embedded JMS broker off.
set -eu
f="$1"
domain=$(dirname "$(dirname "$f")")
[ -f "$f.orig" ] || cp "$f" "$f.orig"
cp "$f.orig" "$f"
rm -rf "$domain/applications" "$domain/generated" "$domain/osgi-cache" "$domain/logs" "$domain/lib/databases"
sed -i \
 -e 's/port="8080"/port="28080"/g' -e 's/port="8181"/port="28181"/g' -e 's/port="4848"/port="24848"/g' \
 -e 's/port="3700"/port="23700"/g' -e 's/port="3820"/port="23820"/g' -e 's/port="3920"/port="23920"/g' \
 -e 's/port="8686"/port="28686"/g' -e 's/address=9009/address=127.0.0.1:29009/g' \
 -e 's/name="JMS_PROVIDER_PORT" value="7676"/name="JMS_PROVIDER_PORT" value="27676"/' \
 -e "s/osgi.shell.telnet.port=6666<\/jvm-options>/osgi.shell.telnet.port=26666<\/jvm-options><jvm-options>-Dhazelcast.socket.bind.any=false<\/jvm-options>/" \
 -e '/<jms-service/s/type="EMBEDDED"/type="DISABLED"/' \
 -e 's/address="0.0.0.0"/address="127.0.0.1"/g' \
 -e 's/<network-listener port=/<network-listener address="127.0.0.1" port=/g' \
 -e 's/<hazelcast-runtime-configuration start-port="5900" das-port="4900"/<hazelcast-runtime-configuration interface="127.0.0.1" das-bind-address="127.0.0.1" das-public-address="127.0.0.1" start-port="25900" das-port="24900"/' \
 "$f"
