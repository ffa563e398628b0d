#!/usr/bin/env bash
# Every test Gatehouse has: installs what is missing, builds the debug server
# and site, runs the Rust tests (unit and HTTP integration against a real
# SQLite file, then the integration tests again on a throwaway PostgreSQL),
# beside the Playwright suite in Debian's Chromium, and a smoke run through
# nginx in front of two instances on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

# What only the tests use (Chromium, nginx, the SCIM tools: downloads, mostly)
# installs beside the build, which needs none of it.
( scripts/ensure-tools.sh --test-tools 2>&1 | sed -u 's/^/[test tools] /' ) &
test_tools=$!
scripts/build.sh tests
if ! wait "$test_tools"; then
  echo "installing what the tests use failed (its output is above, lines starting with [test tools])" >&2
  exit 1
fi

# The SCIM conformance tools the Rust tests run against the real server.
TOOLS_VENV="${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse-tools}/venv"
export SCIM_SANITY="$TOOLS_VENV/bin/scim-sanity"
export SCIM2_CLI="$TOOLS_VENV/bin/scim"
# The Python with aiosmtpd: the mail server of the Rust tests and of the browser tests' server.
export GATEHOUSE_TEST_PYTHON="$TOOLS_VENV/bin/python"
# Everything the tests use is installed now (and PostgreSQL is started for
# its pass): a Rust test that finds a tool missing fails instead of skipping
# (server/tests/common/mod.rs, `require_or_skip`).
export GATEHOUSE_REQUIRE_ALL_TESTS=1

# The Rust tests run beside the browser tests: the browser suite keeps about
# one core of two busy (Chromium, node and the debug server waiting on each
# other), the Rust suites fill the other. Their output is kept and shown after
# the browser tests' own.
rust_log="$(mktemp)"
browser_log="$(mktemp)"
trap 'rm -f "$rust_log" "$browser_log"' EXIT
(
  echo "==> Rust tests"
  # app and server only: building the frontend in the same cargo run would switch
  # on app's `hydrate` feature beside `ssr` (cargo unifies features). build.sh
  # compiled them above with the same arguments, so this only runs them.
  cargo test -p app -p server
  echo "==> Rust integration tests again, on a throwaway PostgreSQL"
  # Same tests, same binaries (the same packages as above, so cargo resolves the
  # same features and compiles nothing again): each test gets a fresh database on
  # a PostgreSQL server that scripts/with-postgres.sh starts (initdb as a
  # non-root user) and removes.
  scripts/with-postgres.sh cargo test -p app -p server --tests
) > "$rust_log" 2>&1 &
rust=$!

echo "==> Playwright tests (the Rust tests run beside them; their output follows)"
set +e
(cd end2end && npx playwright test) 2>&1 | tee "$browser_log"
browser_status=${PIPESTATUS[0]}
set -e

rust_status=0
wait "$rust" || rust_status=$?
cat "$rust_log"
if [ "$rust_status" -ne 0 ] || [ "$browser_status" -ne 0 ]; then
  if [ "$browser_status" -ne 0 ]; then
    # The browser tests' summary again, after the Rust output, so that the
    # last lines of a failed run name the failed tests.
    echo "==> Playwright: the failures' first lines, then the summary (repeated from above)"
    grep -E -A3 '^ +[0-9]+\) \[|^ +Error: ' "$browser_log" | grep -v '^\[WebServer\]' | head -40 || true
    sed -n '/^  [0-9]* failed$/,$p; /^  [0-9]* flaky$/,$p' "$browser_log" | awk '!seen[$0]++'
  fi
  echo "==> failed: Rust tests exit status $rust_status, Playwright tests exit status $browser_status" >&2
  exit 1
fi

echo "==> Playwright smoke run through nginx (two instances on a throwaway PostgreSQL)"
(cd end2end && npx playwright test -c playwright.nginx.config.ts)

echo "==> all tests passed in $(( $(date +%s) - start )) s"
