#!/usr/bin/env bash
# make bench: the Users page and the SCIM load benchmark at 100,000 users on
# three deployments, side by side in one run:
#   1. SQLite (the embedded default), one instance;
#   2. PostgreSQL, one instance;
#   3. PostgreSQL, two instances behind Debian's nginx (round-robin).
# Each is the release `gatehouse` binary, seeded with the CLI
# (setup, demo seed, provisioning token create), and measured from another
# process by server/examples/bench_load.rs. PostgreSQL is a throwaway server
# (scripts/with-postgres.sh) with its default durability. Then the exports
# benchmark (bench_exports). On SQLite, also the "hostile" measure
# (bench_hostile_exports): the Users page and SCIM look-ups while 40 export
# downloads stay open unread. BENCH_USERS, BENCH_CLIENTS, BENCH_SECONDS and
# BENCH_ROUNDS tune it; BENCH_ONLY=hostile runs only the hostile measures
# (open exports, then a burst of wrong-password sign-ins and SCIM creates
# beside sign-ins); BENCH_PROFILE=demo builds and measures the demo profile
# instead of release; GATEHOUSE_BIN measures another build of the server.
# BENCH_ONLY=first-visit builds the site too and measures only what a browser
# downloads on a first visit of each page (end2end/first-visit.mjs).
# BENCH_ONLY=bulk runs only the bulk load: BENCH_USERS people created over SCIM
# into a running server (SQLite, then PostgreSQL), then the Users page at once.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
target=${CARGO_TARGET_DIR:-$here/target}
profile=${BENCH_PROFILE:-release}
bin=${GATEHOUSE_BIN:-$target/$profile/gatehouse}
client=$target/$profile/examples/bench_load
hostile=$target/$profile/examples/bench_hostile_exports
only=${BENCH_ONLY:-}
export BENCH_USERS=${BENCH_USERS:-100000}
export BENCH_PASSWORD="benchmark password 1"
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Creates the organization "acme" with its admin on database $1.
create_acme() {
  local db=$1 pw
  pw=$(mktemp)
  echo "$BENCH_PASSWORD" > "$pw"
  "$bin" --database-url "$db" migrate >/dev/null
  "$bin" --database-url "$db" setup --org acme --name Acme --admin-email admin@acme.example \
    --admin-password-file "$pw" --admin-first-name Ada --admin-last-name Admin >/dev/null
  rm -f "$pw"
}

# Creates the organization "acme" on database $1 and seeds it; prints a token.
prepare() {
  local db=$1
  create_acme "$db"
  local t0=$SECONDS
  "$bin" --database-url "$db" demo seed --org acme --users "$BENCH_USERS" --teams 500 >/dev/null
  echo "    seeded $BENCH_USERS users and 500 teams in $((SECONDS - t0)) s" >&2
  "$bin" --database-url "$db" provisioning token create --org acme --name bench 2>/dev/null
}

# Starts an instance on database $1, port $2; waits until it answers. Behind
# the load balancer ($3 = its port), the instance trusts the proxy and answers
# at the balancer's address (it refuses requests for any other host).
start() {
  local base=http://127.0.0.1:$2 proxy=false
  if [ -n "${3:-}" ]; then base=http://127.0.0.1:$3; proxy=true; fi
  # The benchmarks measure the API: the site need not be built (first-visit builds it).
  GATEHOUSE_DATABASE_URL=$1 GATEHOUSE_BIND=127.0.0.1:$2 GATEHOUSE_BASE_URL=$base GATEHOUSE_TRUST_PROXY=$proxy \
    GATEHOUSE_ALLOW_MISSING_SITE=$([ "$only" = first-visit ] && echo false || echo true) \
    RUST_LOG=warn "$bin" serve >>"$work/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "gatehouse did not start on port $2; see $work/server.log" >&2
  exit 1
}

# A bulk load over SCIM into a running server whose organization has only its
# admin, then the Users page at once, without a restart (bench_load's
# BENCH_MODE=bulk): $1 the database URL, $2 its label.
bulk_load() {
  local db=$1 label=$2 token port
  echo
  echo "==> bulk load ($label, one instance, $profile)"
  create_acme "$db"
  token=$("$bin" --database-url "$db" provisioning token create --org acme --name bulk 2>/dev/null)
  port=$(free)
  start "$db" "$port"
  BENCH_MODE=bulk BENCH_URL="http://127.0.0.1:$port" BENCH_LABEL="$label" BENCH_TOKEN=$token \
    BENCH_CLIENTS=${BENCH_BULK_CLIENTS:-32} "$client"
  stop_all
}

hostile_sign_ins() {
  echo
  echo "==> hostile load (SQLite, one instance, $profile)"
  db="sqlite://$work/hostile.db"
  create_acme "$db"
  token=$("$bin" --database-url "$db" provisioning token create --org acme --name hostile 2>/dev/null)
  port=$(free)
  : > "$work/server.log"
  # Mail set up, pointed at a port where no mail server listens ("Forgot password?").
  GATEHOUSE_SMTP_HOST=127.0.0.1 GATEHOUSE_SMTP_PORT=$(free) GATEHOUSE_MAIL_FROM="Gatehouse <gatehouse@acme.example>" \
    start "$db" "$port"
  BENCH_URL="http://127.0.0.1:$port" BENCH_PID=${pids[-1]} BENCH_TOKEN=$token "$target/$profile/examples/bench_hostile"
  echo "  \"database is locked\" in the server log: $(grep -c 'database is locked' "$work/server.log" || true)"
  stop_all
}

stop_all() {
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
}

# Runs the client against $1 as label $2 with token $3.
measure() {
  echo
  BENCH_URL=$1 BENCH_LABEL=$2 BENCH_TOKEN=$3 "$client"
}

if [ "${1:-}" = "--postgres" ]; then
  # Inside scripts/with-postgres.sh: one database, one instance, then two behind nginx.
  work=$BENCH_WORK
  pids=()
  trap stop_all EXIT
  if [ -z "$only" ] || [ "$only" = bulk ]; then
    psql "$GATEHOUSE_TEST_POSTGRES" -qc "CREATE DATABASE bulk" >/dev/null
    bulk_load "${GATEHOUSE_TEST_POSTGRES%/*}/bulk" "PostgreSQL"
    [ "$only" = bulk ] && exit 0
  fi
  db="${GATEHOUSE_TEST_POSTGRES%/*}/bench"
  psql "$GATEHOUSE_TEST_POSTGRES" -qc "CREATE DATABASE bench" >/dev/null
  echo "==> PostgreSQL, one instance"
  token=$(prepare "$db")
  a=$(free)
  start "$db" "$a"
  measure "http://127.0.0.1:$a" "PostgreSQL" "$token"
  echo "==> PostgreSQL, two instances behind nginx"
  stop_all
  b=$(free)
  lb=$(free)
  start "$db" "$a" "$lb"
  start "$db" "$b" "$lb"
  "$here/scripts/nginx-lb.sh" "$lb" "$work/nginx" "$a" "$b" >>"$work/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$lb/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  measure "http://127.0.0.1:$lb" "PostgreSQL x2 + nginx" "$token"
  exit 0
fi

scripts/ensure-tools.sh --browser >/dev/null
if [ "$only" = first-visit ]; then
  scripts/build.sh "$profile"
  work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
  pids=()
  trap 'stop_all; rm -rf "$work"' EXIT
  db="sqlite://$work/first-visit.db"
  create_acme "$db"
  port=$(free)
  start "$db" "$port"
  echo
  echo "==> first visits ($profile build; bytes as transferred, empty cache, until the page has hydrated; then, apart, what it fetches afterwards)"
  node end2end/first-visit.mjs "http://127.0.0.1:$port" admin@acme.example "$BENCH_PASSWORD"
  exit 0
fi
echo "==> building the release server and the benchmark clients"
cargo build --profile "$profile" -p server --bin gatehouse --example bench_load --example bench_exports --example bench_hostile --example bench_hostile_exports
work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
chmod 755 "$work"
export BENCH_RESULTS=$work/results.tsv
pids=()
trap 'stop_all; rm -rf "$work"' EXIT

if [ "$only" = bulk ]; then
  bulk_load "sqlite://$work/bulk.db" "SQLite"
  BENCH_WORK=$work GATEHOUSE_PG_DURABLE=1 scripts/with-postgres.sh "$0" --postgres
  exit 0
fi

echo "==> SQLite, one instance"
db="sqlite://$work/bench.db"
token=$(prepare "$db")
BENCH_DATABASE_URL=$db "$hostile" prepare
port=$(free)
start "$db" "$port"
if [ "$only" != hostile ]; then
  measure "http://127.0.0.1:$port" "SQLite" "$token"
fi
if [ -z "$only" ] || [ "$only" = hostile ]; then
  echo
  BENCH_URL="http://127.0.0.1:$port" BENCH_LABEL="SQLite" BENCH_TOKEN=$token "$hostile"
fi
stop_all
if [ "$only" = hostile ]; then
  hostile_sign_ins
  exit 0
fi

bulk_load "sqlite://$work/bulk.db" "SQLite"

echo
BENCH_WORK=$work GATEHOUSE_PG_DURABLE=1 scripts/with-postgres.sh "$0" --postgres

echo
echo "==> side by side ($BENCH_USERS users; SCIM: ${BENCH_CLIENTS:-16} clients, ${BENCH_SECONDS:-10} s per operation; all on this machine)"
python3 - "$BENCH_RESULTS" <<'PY'
import sys, collections
rows, labels = collections.OrderedDict(), []
for line in open(sys.argv[1]):
    label, measure, figure = line.rstrip("\n").split("\t")
    if label not in labels:
        labels.append(label)
    rows.setdefault(measure, {})[label] = figure
print(f"{'measure':<44}" + "".join(f"{l:>24}" for l in labels))
for measure, figures in rows.items():
    print(f"{measure:<44}" + "".join(f"{figures.get(l, '-'):>24}" for l in labels))
PY

echo
echo "==> exports (SQLite, in-process)"
"$target/$profile/examples/bench_exports"

echo

hostile_sign_ins
