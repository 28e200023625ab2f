#!/usr/bin/env bash
# Profiles the chat server under the bench: runs bench/run.sh with the given options, and once the bench has
# warmed our server up and measured its idle CPU (the "chat idle" line), attaches dotnet-trace (the repository's
# local tool, sampled thread time) to it for the given number of seconds. Writes OUT.nettrace, OUT.speedscope.json
# (open it at https://www.speedscope.app) and OUT.txt (bench/profile_summary.py: where the on-CPU samples are).
#   bench/profile.sh OUT SECONDS [bench/run.sh options]
#   bench/profile.sh /tmp/fanout 30 --profile quick --scenarios fanout --fanout-shapes 100x10
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=$(realpath -m "$1")
seconds=$2
shift 2
mkdir -p "$(dirname "$out")"
dotnet tool restore >/dev/null

start_bench_and_wait_for_server "$out.bench.log" "$@"
dotnet dotnet-trace collect -p "$server" --profile dotnet-sampled-thread-time \
  --duration "00:00:00:$(printf '%02d' "$seconds")" -o "$out.nettrace" --format Speedscope >"$out.trace.log" 2>&1
wait "$bench"
python3 bench/profile_summary.py "$out.speedscope.json" >"$out.txt"
echo "trace: $out.nettrace, $out.speedscope.json; summary: $out.txt; bench: $out.bench.log" >&2
