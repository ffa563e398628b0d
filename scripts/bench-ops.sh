#!/usr/bin/env bash
# What running in production costs, on SQLite at 100,000 users (release build):
# how long `gatehouse backup` takes with nothing else running and while an
# identity provider creates users (and what it does to those creates), and
# what the JSON access log and the metrics cost SCIM look-ups. The client is
# server/examples/bench_load.rs, as in make bench. BENCH_USERS, BENCH_CLIENTS
# and BENCH_SECONDS tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/gatehouse
client=$target/release/examples/bench_load
echo "==> building the release server and the benchmark client"
cargo build --release -p server --bin gatehouse --example bench_load
export BENCH_USERS=${BENCH_USERS:-100000}
export BENCH_PASSWORD="benchmark password 1"
work=$(mktemp -d /tmp/gatehouse-bench-ops.XXXXXX)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

db="sqlite://$work/gatehouse.db"
echo "$BENCH_PASSWORD" >"$work/pw"
"$bin" --database-url "$db" setup --org acme --name Acme --admin-email admin@acme.example \
  --admin-password-file "$work/pw" --admin-first-name Ada --admin-last-name Admin >/dev/null
"$bin" --database-url "$db" demo seed --org acme --users "$BENCH_USERS" --teams 500 >/dev/null
token=$("$bin" --database-url "$db" provisioning token create --org acme --name bench 2>/dev/null)
port=$(free)

# Starts the server with the given environment (VAR=value …), its output in $work/server.log.
start() {
  env "$@" GATEHOUSE_DATABASE_URL="$db" GATEHOUSE_BIND="127.0.0.1:$port" GATEHOUSE_ALLOW_MISSING_SITE=true "$bin" serve >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "gatehouse did not start; see $work/server.log" >&2
  exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
measure() { BENCH_URL="http://127.0.0.1:$port" BENCH_TOKEN=$token BENCH_LABEL=$1 BENCH_ONLY=$2 "$client" | grep -v '^$'; }
backup() {
  local said
  said=$("$bin" --database-url "$db" backup --out "$work/backup-$1.db")
  echo "    ${said%%$'\n'*}"
  rm -f "$work/backup-$1.db"
}

echo "==> gatehouse backup, nothing else running"
backup idle
start RUST_LOG=warn
echo "==> SCIM creates, no backup"
measure "no backup" "scim create"
echo "==> SCIM creates, a backup started 2 s in"
(sleep 2; backup busy) &
during=$!
measure "during a backup" "scim create"
wait "$during"
stop

for round in 1 2; do
  echo "==> round $round: filtered GETs, access log and metrics off (RUST_LOG=warn)"
  start RUST_LOG=warn
  measure "log off" "scim filtered get"
  stop
  echo "==> round $round: filtered GETs, JSON access log to a file, metrics on"
  start RUST_LOG=info GATEHOUSE_LOG_FORMAT=json GATEHOUSE_METRICS_BIND="127.0.0.1:$(free)"
  measure "json log + metrics" "scim filtered get"
  stop
  echo "    log: $(wc -l <"$work/server.log") lines, $(du -h "$work/server.log" | cut -f1)"
done
