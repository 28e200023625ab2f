#!/usr/bin/env bash
# The compose.yaml topology without Docker, from Debian packages: redis-server, PostgreSQL 15 (or one shared SQLite
# file), two Chat.Server nodes and nginx in front. Runs in the foreground; Ctrl+C stops everything it started.
#
#   scripts/cluster.sh [--store postgres|sqlite] [--port 8080] [--no-build]
#
# --no-build runs the Chat.Server already built in Release (the tests use it while other tests run that build).
# State (databases, logs, the shared signing key) lives in $CHAT_CLUSTER_DIR (default: .cluster/ in the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

store=postgres
port=8080
build=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --no-build) build=no; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$store" in postgres|sqlite) ;; *) echo "--store is postgres or sqlite" >&2; exit 2 ;; esac

state="${CHAT_CLUSTER_DIR:-$repo/.cluster}"
mkdir -p "$state/logs"
pg_bin=/usr/lib/postgresql/15/bin

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_for() { # wait_for WHAT COMMAND... (tries for 30 s, or WAIT_SECONDS)
  local what="$1"; shift
  for _ in $(seq 1 $(( ${WAIT_SECONDS:-30} * 5 ))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$what did not come up; see $state/logs" >&2; exit 1
}

for tool in redis-server nginx dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: scripts/install-test-deps.sh installs it" >&2; exit 1; }
done
if [ "$store" = postgres ] && [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL 15 is missing: scripts/install-test-deps.sh installs it" >&2; exit 1
fi

pids=()
nginx_pid=""
cleanup() {
  trap - EXIT INT TERM
  echo "stopping the cluster"
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ "$store" = postgres ] && as_postgres "$pg_bin/pg_ctl" -D "$state/postgres" -m fast stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

server_dll="$repo/Chat.Server/bin/Release/net10.0/Chat.Server.dll"
if [ "$build" = yes ]; then
  echo "building Chat.Server"
  dotnet build Chat.Server/Chat.Server.csproj -c Release -nologo -v quiet >/dev/null
elif [ ! -f "$server_dll" ]; then
  echo "$server_dll is missing: build Chat.Server in Release first, or drop --no-build" >&2; exit 1
fi

# Every node signs and accepts the same guest tokens.
[ -s "$state/signing-key" ] || (umask 077 && head -c 64 /dev/urandom | base64 -w0 > "$state/signing-key")

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$state" --appendonly yes --appendfilename redis.aof \
  --save "" --loglevel warning --logfile "$state/logs/redis.log" &
pids+=($!)
wait_for "redis-server" redis-cli -p "$redis_port" ping

if [ "$store" = postgres ]; then
  pg_port="$(free_port)"
  if [ ! -f "$state/postgres/PG_VERSION" ]; then
    mkdir -p "$state/postgres"
    [ "$(id -u)" -eq 0 ] && chown postgres "$state" "$state/postgres" "$state/logs"
    as_postgres "$pg_bin/initdb" -D "$state/postgres" -U chat --auth=trust -E UTF8 >/dev/null
  fi
  as_postgres "$pg_bin/pg_ctl" -D "$state/postgres" -l "$state/logs/postgres.log" -w \
    -o "-p $pg_port -k $state -c listen_addresses=127.0.0.1" start >/dev/null
  as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U chat -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='chat'" \
    | grep -q 1 || as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U chat chat
  store_env=(Database__Provider=postgres "ConnectionStrings__Chat=Host=127.0.0.1;Port=$pg_port;Username=chat;Database=chat" Attachments__Store=database)
else
  store_env=(Database__Provider=sqlite "ConnectionStrings__Chat=Data Source=$state/chat.db")
fi

node_ports=()
for node in 1 2; do
  node_port="$(free_port)"
  node_ports+=("$node_port")
  env "${store_env[@]}" \
    "Redis__Configuration=127.0.0.1:$redis_port" \
    "Auth__SigningKey=$(cat "$state/signing-key")" \
    "ASPNETCORE_URLS=http://127.0.0.1:$node_port" \
    dotnet "$server_dll" --contentRoot "$repo/Chat.Server" >"$state/logs/chat-$node.log" 2>&1 &
  pids+=($!)
  # The first node migrates the history store before the second starts. A node is ready once warm: its warm-up
  # (WarmUp:Timeout, a minute at most) comes on top of its start.
  WAIT_SECONDS=120 wait_for "chat node $node" curl -fsS "http://127.0.0.1:$node_port/readyz"
done

mkdir -p "$state/nginx"
sed -e "s/\${CHAT_LISTEN}/127.0.0.1:$port/" -e "s/\${CHAT_NODE_1}/127.0.0.1:${node_ports[0]}/" \
  -e "s/\${CHAT_NODE_2}/127.0.0.1:${node_ports[1]}/" deploy/nginx/chat.conf.template > "$state/nginx/chat.conf"
cat > "$state/nginx/nginx.conf" <<NGINX
pid $state/nginx/nginx.pid;
error_log $state/logs/nginx-error.log warn;
events {}
http {
  access_log $state/logs/nginx-access.log;
  client_body_temp_path $state/nginx/body;
  proxy_temp_path $state/nginx/proxy;
  fastcgi_temp_path $state/nginx/fastcgi;
  uwsgi_temp_path $state/nginx/uwsgi;
  scgi_temp_path $state/nginx/scgi;
  include /etc/nginx/mime.types;
  include $state/nginx/chat.conf;
}
NGINX
nginx -c "$state/nginx/nginx.conf" -p "$state/nginx"
wait_for "nginx" test -s "$state/nginx/nginx.pid"
nginx_pid="$(cat "$state/nginx/nginx.pid")"
wait_for "nginx" curl -fsS "http://127.0.0.1:$port/healthz"

cat <<INFO
cluster up ($store):
  web page + hub   http://127.0.0.1:$port/   (nginx, ip_hash)
  node 1           http://127.0.0.1:${node_ports[0]}/   (log: $state/logs/chat-1.log)
  node 2           http://127.0.0.1:${node_ports[1]}/   (log: $state/logs/chat-2.log)
  redis            127.0.0.1:$redis_port
Ctrl+C stops everything.
INFO
wait "${pids[@]}"
