#!/usr/bin/env bash
# Installs what building and testing Gatehouse needs, only where it is missing:
# the wasm32 target, the wasm-bindgen CLI pinned to the workspace's version,
# the npm packages in end2end/ (Playwright, binaryen's wasm-opt, uglify-js) and, with
# --browser, what only the tests use as well: the SCIM conformance tools, the
# tests' mail server (aiosmtpd),
# Debian's Chromium, nginx, openssl, curl and systemd (systemd-analyze).
# usage: scripts/ensure-tools.sh [--browser | --test-tools | --idp]
#   --test-tools  only what the tests use (make test installs it while it builds)
#   --idp         only what make idp runs (npm packages of end2end/, openssl)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # keep equal to wasm-bindgen in Cargo.toml
WASM_SPLIT_VERSION=0.2.4       # wasm_split_cli_support: the loader it writes matches leptos's wasm_split_helpers

build_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    echo "==> adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    echo "==> installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about a minute, once)"
    # Only the wasm-bindgen binary, without TLS (the crate's default feature
    # serves its test runner's downloads), unoptimized and without debug info:
    # on a 2-core machine it compiles in 64 s instead of 188 s (118 instead of
    # 333 s of CPU, which a first build shares with the server's), and then
    # takes 11 s instead of 2 s on the tests' 21 MB module, 3 s instead of
    # 1 s on the release one (2026-11-30, README "Measurements").
    cargo install --config 'profile.dev.debug=false' wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force --no-default-features --bin wasm-bindgen --debug
  fi

  if ! command -v wasm-split-cli >/dev/null || ! cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    echo "==> installing wasm-split-cli $WASM_SPLIT_VERSION (half a minute, once)"
    # Splits most pages' code out of the main wasm module (scripts/build.sh).
    # Unoptimized like wasm-bindgen: 30 s to compile; 3.4 s on the tests' module.
    cargo install --config 'profile.dev.debug=false' wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --force --locked --features build-binary --debug
  fi

  node_packages
}

# The npm packages of end2end/: Playwright, the test identity providers
# (saml-idp, oidc-provider), the wasm optimizer and the JavaScript minifier.
node_packages() {
  if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    echo "==> installing npm packages in end2end/"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

test_tools() {
  # The SCIM conformance tools the tests run against the real server (PyPI),
  # pinned, in one venv: scim-sanity's probe and scim2-cli's `scim ... test`
  # (scim2-cli needs Python >= 3.11).
  TOOLS=${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse-tools}
  if [ ! -x "$TOOLS/venv/bin/pip" ]; then
    python3 -m venv "$TOOLS/venv"
  fi
  if [ ! -x "$TOOLS/venv/bin/scim-sanity" ]; then
    echo "==> installing scim-sanity (SCIM conformance probe) into $TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check scim-sanity==0.7.4
  fi
  # The mail server the tests send to (scripts/test-smtp.py).
  if ! "$TOOLS/venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    echo "==> installing aiosmtpd (the tests' mail server) into $TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6
  fi
  if [ ! -x "$TOOLS/venv/bin/scim" ]; then
    echo "==> installing scim2-cli (SCIM conformance checks) into $TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check scim2-cli==0.6.0 scim2-tester==0.5.2 scim2-client==0.13.2 scim2-models==0.12.3
  fi

  # The tests also need Debian's chromium (Playwright), nginx, openssl and
  # curl (the load balancer and the TLS proxy of the multi-instance tests),
  # and systemd's systemd-analyze (it verifies the units in deploy/);
  # PostgreSQL is checked by with-postgres.sh.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian's ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

case "${1:-}" in
  "") build_tools ;;
  --browser) build_tools; test_tools ;;
  --test-tools) test_tools ;;
  # make idp: the identity provider's npm package and openssl, nothing to build with.
  --idp) node_packages
         command -v openssl >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"; $SUDO apt-get install -y -qq openssl >/dev/null; } ;;
  *) echo "usage: $0 [--browser | --test-tools | --idp]" >&2; exit 2 ;;
esac
