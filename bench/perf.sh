#!/usr/bin/env bash
# Profiles the chat server under the bench with Linux perf: every CPU sample of the process, kernel and native code
# included (socket syscalls, fsync, SQLite, the runtime's own spinning), which dotnet-trace's managed sampler cannot
# tell apart from waiting. Runs bench/run.sh with the given options; once the bench has warmed our server up (the
# "chat idle" line) it records the server for the given seconds, then writes OUT.perf.txt (perf script) and OUT.txt
# (bench/perf_summary.py: the share of samples per part of the server).
#   bench/perf.sh OUT SECONDS [bench/run.sh options]
#   bench/perf.sh /tmp/fanout 20 --profile quick --scenarios fanout --fanout-shapes 100x10
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
command -v perf >/dev/null || { echo "perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
out=$(realpath -m "$1")
seconds=$2
shift 2
mkdir -p "$(dirname "$out")"

# perf-PID.map names the JIT-compiled methods; with W^X on, the runtime runs code from a double mapping perf cannot name.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 start_bench_and_wait_for_server "$out.bench.log" "$@"
perf record -F 999 -g -p "$server" -o "$out.perf.data" -- sleep "$seconds" >"$out.record.log" 2>&1
wait "$bench"
perf script -i "$out.perf.data" >"$out.perf.txt" 2>/dev/null
python3 bench/perf_summary.py "$out.perf.txt" >"$out.txt"
echo "samples: $out.perf.txt; summary: $out.txt; bench: $out.bench.log" >&2
