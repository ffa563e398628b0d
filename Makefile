# Gatehouse — the commands operators and developers use. Keep these target
# names: operators script them.
#   make demo     build (demo profile: quick to build, hot paths optimized) and start on SQLite
#                 with the demo organization "acme"
#   make serve    the same build, started without demo data (first-run page)
#   make release  the production build only: target/release/gatehouse and target/site/
#   make test     every test: Rust unit + integration, then Playwright in Chromium
#   make idp      a local test SAML identity provider (saml-idp) for trying SSO:
#                 make idp ORG=acme URL=http://127.0.0.1:3000 (the defaults)
#   make oidc-idp a local test OpenID provider (oidc-provider) for trying OpenID Connect,
#                 same ORG and URL; issuer http://127.0.0.1:7100, client gatehouse

SHELL := /bin/bash
export GATEHOUSE_DATABASE_URL ?= sqlite://data/gatehouse.db
export GATEHOUSE_BIND ?= 127.0.0.1:3000

.PHONY: demo serve release build-demo build-debug test test-rust test-e2e bench idp oidc-idp clean

release:
	scripts/build.sh release

build-demo:
	scripts/build.sh demo

demo: build-demo
	target/demo/gatehouse serve --demo

serve: build-demo
	target/demo/gatehouse serve

build-debug:
	scripts/build.sh debug

test:
	scripts/test.sh

test-rust:
	cargo test -p app -p server

test-e2e: build-debug
	scripts/ensure-tools.sh --browser
	cd end2end && npx playwright test

# The Users page and the SCIM load at 100,000 users on SQLite, PostgreSQL, and two
# instances behind nginx, side by side (BENCH_USERS, BENCH_CLIENTS, BENCH_SECONDS), then
# the 50,000-row CSV/Excel/PDF exports: time to first byte, total, peak memory
# (BENCH_ROWS, BENCH_ROUNDS).
bench:
	scripts/bench.sh

# A real SAML identity provider (saml-idp) on 127.0.0.1:$(IDP_PORT) for an organization of a
# running Gatehouse: make idp [ORG=acme] [URL=http://127.0.0.1:3000] [IDP_PORT=7000]
ORG ?= acme
URL ?= http://$(GATEHOUSE_BIND)
IDP_PORT ?= 7000
export IDP_PORT
idp:
	scripts/test-idp.sh "$(ORG)" "$(URL)"

# A real OpenID provider (oidc-provider) on 127.0.0.1:$(OIDC_PORT) whose client "gatehouse"
# (secret "gatehouse-secret") sends people back to $(URL)/$(ORG)/oidc/callback; it signs in
# whoever the sign-in names, admin@$(ORG).example unless OIDC_EMAIL says otherwise.
OIDC_PORT ?= 7100
oidc-idp:
	scripts/ensure-tools.sh --idp
	OIDC_PORT=$(OIDC_PORT) OIDC_REDIRECT_URIS="$(URL)/$(ORG)/oidc/callback" OIDC_EMAIL="$${OIDC_EMAIL:-admin@$(ORG).example}" node end2end/oidc-provider.mjs

clean:
	cargo clean
	rm -rf target/site target/site-debug
