#!/usr/bin/env bash
# Debian's nginx as a round-robin load balancer (no sticky sessions) in front
# of Gatehouse instances on loopback: writes a configuration into DIR and runs
# nginx in the foreground until it is stopped. Used by the Playwright smoke run
# through nginx and by the benchmark.
# usage: scripts/nginx-lb.sh LISTEN_PORT DIR UPSTREAM_PORT...
set -euo pipefail
port=${1:?listen port}; dir=${2:?directory}; shift 2
[ $# -gt 0 ] || { echo "usage: $0 LISTEN_PORT DIR UPSTREAM_PORT..." >&2; exit 2; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
upstreams=""
for p in "$@"; do upstreams+="server 127.0.0.1:$p; "; done
mkdir -p "$dir"
chmod 777 "$dir"  # nginx workers run as nobody when started by root
cat > "$dir/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
  upstream gatehouse { $upstreams keepalive 32; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://gatehouse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
exec "$nginx" -c "$dir/nginx.conf" -e "$dir/error.log"
