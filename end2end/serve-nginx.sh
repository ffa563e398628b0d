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
nginx=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d)
chmod 777 "$tmp"
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
db="${GATEHOUSE_TEST_POSTGRES%/*}/e2e_nginx"
psql "$GATEHOUSE_TEST_POSTGRES" -qc "CREATE DATABASE e2e_nginx" >/dev/null
"$bin" migrate --database-url "$db" >/dev/null
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT TERM INT
upstreams=""
for i in 1 2; do
  p=$(free)
  GATEHOUSE_DATABASE_URL="$db" GATEHOUSE_BIND="127.0.0.1:$p" GATEHOUSE_BASE_URL="http://127.0.0.1:$port" \
    GATEHOUSE_TRUST_PROXY=true LEPTOS_SITE_ROOT="$here/../target/site" "$bin" serve &
  pids+=($!)
  upstreams+="server 127.0.0.1:$p; "
done
cat > "$tmp/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $tmp/nginx.pid; error_log $tmp/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/body; proxy_temp_path $tmp/proxy; fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
  upstream gatehouse { $upstreams }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://gatehouse;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
"$nginx" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
pids+=($!)
wait -n "${pids[@]}"
