# Sourced by bench/profile.sh and bench/perf.sh: runs bench/run.sh with the given options in the background (its
# output in LOG) and waits until the bench has warmed our server up and measured its idle CPU (the "chat idle"
# line; BENCH_WAIT_FOR names another line to wait for, e.g. "joinstorm chat: 1" to catch a join storm mid-way).
# Sets $bench (the bench's pid) and $server (our server's pid).
#   start_bench_and_wait_for_server LOG [bench/run.sh options]
start_bench_and_wait_for_server() {
  local log=$1
  shift
  bench/run.sh "$@" >"$log" 2>&1 &
  bench=$!
  until grep -q "${BENCH_WAIT_FOR:-chat idle}" "$log"; do
    kill -0 "$bench" 2>/dev/null || { echo "the bench ended before our server was measured; see $log" >&2; exit 1; }
    sleep 0.5
  done
  server=$(pgrep -f "^dotnet $PWD/Chat.Server/bin/Release/.*Chat.Server.dll" | head -1)
}
