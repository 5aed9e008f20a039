#!/usr/bin/env bash
# Round trips of several transports taken in turn every few milliseconds within one run (io.ringport.jmh.SideBySideProbe),
# so that every cycle of turns meets one state of the machine; then jmh/sidebyside.py compares them cycle by cycle.
#
#   jmh/sidebyside.sh CYCLES SIZE OUT.csv raw ring ringport aeron
#
# The first transport is the reference whose p50 tells each cycle's state; the last is the one the others are held
# against as well. 600 cycles of four transports take about two minutes. Needs jmh/target/benchmarks.jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ $# -lt 5 ]; then
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
jar=jmh/target/benchmarks.jar
[ -f "$jar" ] || { echo "sidebyside: $jar is missing: run mvn -B install -DskipTests first" >&2; exit 1; }
# The suite's flags (io.ringport.jmh.JvmFlags) that this JVM needs: its partners get theirs from the suite's code.
exec java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    -Dchronicle.analytics.disable=true -XX:+UseSerialGC \
    -cp "$jar" io.ringport.jmh.SideBySideProbe "$@"
