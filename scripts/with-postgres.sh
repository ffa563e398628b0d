#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL: initdb in a temporary folder
# as a non-root user (PostgreSQL refuses to run as root), on a free loopback
# port; stopped and removed afterwards, whatever the command's outcome.
# The command sees GATEHOUSE_TEST_POSTGRES=postgres://gatehouse@127.0.0.1:<port>/postgres
# usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

bin=""
for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bin=$d; break; fi
done
if [ -z "$bin" ]; then
  echo "==> installing Debian's postgresql (for the PostgreSQL test run)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
fi

# As root, run the server as another user: "postgres" when it exists, else a system user of our own.
as=()
if [ "$(id -u)" = 0 ]; then
  user=postgres
  if ! id "$user" >/dev/null 2>&1; then
    user=gatehouse-pg
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  as=(runuser -u "$user" --)
fi

dir=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
chmod 755 "$dir"
[ ${#as[@]} -eq 0 ] || chown "$user" "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

"${as[@]}" "$bin/initdb" -D "$dir/data" -U gatehouse -A trust --no-sync -E UTF8 >/dev/null
# Tests need no durability; a benchmark (GATEHOUSE_PG_DURABLE=1) measures
# PostgreSQL's defaults: every commit flushed to disk before it returns.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ -z "${GATEHOUSE_PG_DURABLE:-}" ] || durability=""
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir $durability -c max_connections=300" >/dev/null
echo "==> throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export GATEHOUSE_TEST_POSTGRES="postgres://gatehouse@127.0.0.1:$port/postgres"
"$@"
