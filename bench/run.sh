#!/usr/bin/env bash
# Runs the whole benchmark with one command: builds the bench and publishes Chat.Server in Release, then the bench starts
# the servers itself (child processes on free loopback ports, temporary data directories) and writes
# bench/results/<UTC time>/results.{json,md}.
#   bench/run.sh                      # the full run (several minutes; run it on a quiet machine)
#   bench/run.sh --profile quick      # a short run (seconds per step)
#   bench/run.sh --scenarios idle,fanout,ingest,protocols,redis,readmarks --idle-connections 20000 --out DIR
#   bench/run.sh --profile quick --scenarios fanout --fanout-shapes 100x10
#   bench/run.sh --profile quick --scenarios restartstorm --storm-clients 1000 --storm-reads 10000,8
set -euo pipefail
cd "$(dirname "$0")/.."

# Every connection is a file descriptor in the bench and one in the server (which inherits this limit):
# raise the soft limit as far as the hard limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open-file limit: $(ulimit -n)" >&2

dotnet build bench/Chat.Bench -c Release -v quiet -nologo
# Our server as it is deployed: published, ReadyToRun (Chat.Server.csproj). A --chat-server given here comes later and wins.
dotnet publish Chat.Server -c Release -v quiet -nologo -o Chat.Server/bin/Release/publish
exec dotnet bench/Chat.Bench/bin/Release/net10.0/Chat.Bench.dll run --chat-server Chat.Server/bin/Release/publish/Chat.Server.dll "$@"
