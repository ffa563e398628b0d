#!/usr/bin/env bash
# Starts Gatehouse for the browser tests on a fresh SQLite database in a
# temporary folder, removed when the server stops.
#   serve.sh PORT          an empty instance (the specs set Acme up themselves)
#   serve.sh PORT demo     the demo organization (fixed people, teams and
#                          documents) for the screenshot and accessibility
#                          specs; its password is in
#                          ${TMPDIR:-/tmp}/gatehouse-e2e-demo-PORT/demo-credentials.txt
set -euo pipefail
port=${1:?port}
mode=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
bin=${GATEHOUSE_BIN:-$here/../target/debug/gatehouse}
# Started from the project's root, each build finds its own site
# (scripts/build.sh): the debug binary target/site-debug, an optimized one
# target/site; LEPTOS_SITE_ROOT, when set, chooses another.
bin=$(realpath -m "$bin")
cd "$here/.."
if [ "$mode" = demo ]; then
  tmp=${TMPDIR:-/tmp}/gatehouse-e2e-demo-$port
  rm -rf "$tmp"
  mkdir -p "$tmp"
  args=(serve --demo)
else
  tmp=$(mktemp -d)
  args=(serve)
fi
trap 'rm -rf "$tmp"' EXIT
export GATEHOUSE_DATABASE_URL="sqlite://$tmp/e2e.db"
export GATEHOUSE_BIND="127.0.0.1:$port"
# The first-run page asks for the code the server prints; the tests know it.
export GATEHOUSE_SETUP_CODE="E2E0-TEST"
# The allowed-IP-addresses walk plays visitors from other addresses with
# X-Forwarded-For, as a reverse proxy in front of the server would send it.
if [ "$mode" != demo ]; then export GATEHOUSE_TRUST_PROXY=true; fi
# The instance the specs set up themselves sends mail to a local test mail
# server (scripts/test-smtp.py, Python's aiosmtpd), which writes each message
# to $GATEHOUSE_E2E_MAIL_DIR (default /tmp/gatehouse-e2e-mail-PORT) for the
# specs to read. The demo instance has no mail (its screenshots stay as they are).
mail_pid=""
python=${GATEHOUSE_TEST_PYTHON:-$HOME/.cache/gatehouse-tools/venv/bin/python}
if [ "$mode" != demo ] && "$python" -c 'import aiosmtpd' 2>/dev/null; then
  mail_dir=${GATEHOUSE_E2E_MAIL_DIR:-${TMPDIR:-/tmp}/gatehouse-e2e-mail-$port}
  rm -rf "$mail_dir"
  mail_port=$((port + 100))
  "$python" scripts/test-smtp.py --port "$mail_port" --dir "$mail_dir" >/dev/null &
  mail_pid=$!
  export GATEHOUSE_SMTP_HOST=127.0.0.1 GATEHOUSE_SMTP_PORT=$mail_port GATEHOUSE_SMTP_SECURITY=none
  export GATEHOUSE_MAIL_FROM="Gatehouse <gatehouse@acme.example>" GATEHOUSE_MAIL_RETRY_SECONDS=1
elif [ "$mode" != demo ]; then
  echo "serve.sh: no Python with aiosmtpd ($python): the server starts without mail (scripts/ensure-tools.sh --test-tools installs it)" >&2
fi
"$bin" "${args[@]}" &
pid=$!
trap 'kill $pid $mail_pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT TERM INT
wait $pid
