#!/usr/bin/env bash
# Forks in turn: each round runs one fork of every benchmark given, in the order given, so that every transport meets
# the same hours of a shared machine; each fork carries its machine state (MachineStateProfiler), and the forks are
# merged into one JSON that jmh/chart.py reads per fork and per state.
#
#   jmh/rounds.sh OUT.json ROUNDS 'Benchmark -p transport=ringport -p size=64' 'Benchmark -p transport=aeron ...' ...
#
# Each spec is the JMH arguments of one fork (a benchmark and its -p choices, with any -wi/-i of its own), after any
# NAME=value words (values without spaces), which go into that fork's environment (e.g. JAVA_TOOL_OPTIONS=-Dx=y,
# which its partners inherit too; forks that differ only there are merged as one: merge their files apart). The
# forks' own files go to OUT.json.d/; a failed fork is reported and left out. Needs jmh/target/benchmarks.jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ $# -lt 3 ]; then
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
out=$1
rounds=$2
shift 2
jar=jmh/target/benchmarks.jar
[ -f "$jar" ] || { echo "rounds: $jar is missing: run mvn -B install -DskipTests first" >&2; exit 1; }
dir=$out.d
mkdir -p "$dir"

forks=()
for ((round = 1; round <= rounds; round++)); do
    index=0
    for spec in "$@"; do
        index=$((index + 1))
        file=$dir/round$round-spec$index.json
        read -r -a words <<< "$spec"
        environment=()
        while [ ${#words[@]} -gt 0 ] && [[ ${words[0]} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
            environment+=("${words[0]}")
            words=("${words[@]:1}")
        done
        echo "rounds: round $round/$rounds: $spec" >&2
        if env ${environment[@]+"${environment[@]}"} java -jar "$jar" "${words[@]}" -f 1 \
                -prof io.ringport.jmh.MachineStateProfiler -rf json -rff "$file" \
                > "$dir/round$round-spec$index.log" 2>&1 && [ -s "$file" ]; then
            forks+=("$file")
        else
            echo "rounds: round $round, spec $index failed: see $dir/round$round-spec$index.log" >&2
        fi
    done
done
[ ${#forks[@]} -gt 0 ] || { echo "rounds: no fork succeeded" >&2; exit 1; }
python3 jmh/merge-forks.py "$out" "${forks[@]}"
echo "rounds: ${#forks[@]} forks merged into $out" >&2
