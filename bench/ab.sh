#!/usr/bin/env bash
# Before/after of a change on the same machine: runs the same bench command on two checkouts, alternately, ROUNDS
# times each (before, after, before, after, …), so that drift in the machine's load falls on both sides alike.
# Each checkout builds and runs its own Chat.Server and bench.
#   bench/ab.sh BEFORE_DIR AFTER_DIR ROUNDS OUT_DIR [bench/run.sh options]
#   git worktree add /tmp/before main~3 && bench/ab.sh /tmp/before . 2 /tmp/ab --profile quick --scenarios fanout,ingest --fanout-shapes 100x10
# Results: OUT_DIR/{before,after}-N/results.md, and OUT_DIR/summary.md (chat's server CPU µs per delivery and p99 per step).
set -euo pipefail
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
rounds=$3
out=$(mkdir -p "$4" && cd "$4" && pwd)
shift 4

# Each side's server as bench/run.sh starts it: published (ReadyToRun where its project says so), when its bench can
# be told which server to start.
declare -A server_args
for side in before after; do
  dir=${!side}
  (cd "$dir" && dotnet build bench/Chat.Bench -c Release -v quiet -nologo >/dev/null)
  server_args[$side]=""
  if grep -q -- '"--chat-server"' "$dir/bench/Chat.Bench/BenchOptions.cs"; then
    (cd "$dir" && dotnet publish Chat.Server -c Release -v quiet -nologo -o Chat.Server/bin/Release/publish >/dev/null)
    server_args[$side]="--chat-server $dir/Chat.Server/bin/Release/publish/Chat.Server.dll"
  fi
done

for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=${!side}
    echo "== $side, round $round ($dir)" >&2
    (cd "$dir" && ulimit -n "$(ulimit -Hn)" 2>/dev/null; dotnet bench/Chat.Bench/bin/Release/net10.0/Chat.Bench.dll run ${server_args[$side]} "$@" --out "$out/$side-$round" >"$out/$side-$round.log" 2>&1)
  done
done

python3 - "$out" "$rounds" <<'PY' > "$out/summary.md"
import json, sys, pathlib
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
rows = {}
for side in ("before", "after"):
    for r in range(1, rounds + 1):
        for step in json.loads((out / f"{side}-{r}" / "results.json").read_text())["steps"]:
            if step["server"] == "chat":
                key = (step["scenario"], step["rooms"], step["members"], step["offeredMessagesPerSecond"])
                rows.setdefault(key, {"before": [], "after": []})[side].append(step)
def cells(steps, value):
    return " / ".join(value(s) for s in steps) or "–"
def cpu(s):
    return f"{s['serverCpuMicrosecondsPerDelivery'] * s['members']:.0f}" + ("" if s["sustained"] else "*")
def p99(s):
    return f"{s['p99Milliseconds']:.1f}"
print("Server CPU µs per posted message (CPU per delivery × members; * = step not sustained) and p99 ms, each round in order.")
print()
print("| scenario | rooms × members | offered msgs/s | CPU µs/msg before | CPU µs/msg after | p99 ms before | p99 ms after |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for (scenario, rooms_, members, offered), sides in sorted(rows.items()):
    b, a = sides["before"], sides["after"]
    print(f"| {scenario} | {rooms_} × {members} | {offered:,} | {cells(b, cpu)} | {cells(a, cpu)} | {cells(b, p99)} | {cells(a, p99)} |")
PY
cat "$out/summary.md"
