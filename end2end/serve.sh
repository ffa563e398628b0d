#!/usr/bin/env bash
# Starts Gatehouse for the browser tests on a fresh SQLite database in a
# temporary folder, removed when the server stops.
set -euo pipefail
port=${1:?port}
here=$(cd "$(dirname "$0")" && pwd)
bin=${GATEHOUSE_BIN:-$here/../target/debug/gatehouse}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GATEHOUSE_DATABASE_URL="sqlite://$tmp/e2e.db"
export GATEHOUSE_BIND="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$here/../target/site"
# The first-run page asks for the code the server prints; the tests know it.
export GATEHOUSE_SETUP_CODE="E2E0-TEST"
"$bin" serve &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT TERM INT
wait $pid
