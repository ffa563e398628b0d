#!/usr/bin/env bash
# For the Playwright smoke run through a load balancer: two Gatehouse
# instances on one throwaway PostgreSQL (scripts/with-postgres.sh) behind a
# generated Debian nginx configuration, round-robin, on the given port.
set -euo pipefail
port=${1:?port}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${GATEHOUSE_TEST_POSTGRES:-}" ]; then
  exec "$here/../scripts/with-postgres.sh" "$0" "$@"
fi
bin=${GATEHOUSE_BIN:-$here/../target/debug/gatehouse}
# Started from the project's root, each build finds its own site
# (scripts/build.sh): the debug binary target/site-debug, an optimized one
# target/site; LEPTOS_SITE_ROOT, when set, chooses another.
bin=$(realpath -m "$bin")
cd "$here/.."
tmp=$(mktemp -d)
chmod 777 "$tmp"
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
db="${GATEHOUSE_TEST_POSTGRES%/*}/e2e_nginx"
psql "$GATEHOUSE_TEST_POSTGRES" -qc "CREATE DATABASE e2e_nginx" >/dev/null
"$bin" migrate --database-url "$db" >/dev/null
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT TERM INT
ports=()
for i in 1 2; do
  p=$(free)
  GATEHOUSE_DATABASE_URL="$db" GATEHOUSE_BIND="127.0.0.1:$p" GATEHOUSE_BASE_URL="http://127.0.0.1:$port" \
    GATEHOUSE_TRUST_PROXY=true GATEHOUSE_SETUP_CODE="E2E0-TEST" "$bin" serve &
  pids+=($!)
  ports+=("$p")
done
"$here/../scripts/nginx-lb.sh" "$port" "$tmp" "${ports[@]}" &
pids+=($!)
wait -n "${pids[@]}"
