#!/usr/bin/env bash
# Makes the upgrade fixtures in server/tests/fixtures/upgrade/: a database
# written by an earlier Gatehouse release, once on SQLite (v0.1.0.db) and once
# on PostgreSQL (v0.1.0.postgres.sql, a plain pg_dump), plus what the test
# needs to sign in with (v0.1.0.json: passwords and the SCIM tokens, which
# the databases keep only as hashes). The upgrade test (server/tests/upgrade.rs)
# opens copies of them with the current code, which migrates them at start.
#
# The fixtures in the repository are of release 0.1.0, commit a142fbd.
# Everything is done through that release's own binary: its CLI (setup) and
# its HTTP API, as an admin, a creator and an identity provider would, so
# every table holds rows the way that release wrote them.
#
# usage: scripts/make-upgrade-fixture.sh [RELEASE COMMIT]   (default: v0.1.0 a142fbd)
#   GATEHOUSE_OLD_BIN=path/to/gatehouse   use an already built binary of the release
#                                         (otherwise it is built from git, in a temporary folder)
# Needs curl, jq, sqlite3 and PostgreSQL (scripts/with-postgres.sh starts a throwaway one).
# A later release that changes the schema adds what it introduced to the
# journey below and keeps a fixture of itself beside this one.
set -euo pipefail
cd "$(dirname "$0")/.."
RELEASE=${1:-v0.1.0}
COMMIT=${2:-a142fbd}
OUT=server/tests/fixtures/upgrade

if [ -z "${GATEHOUSE_TEST_POSTGRES:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi

work=$(mktemp -d /tmp/gatehouse-fixture.XXXXXX)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bin=${GATEHOUSE_OLD_BIN:-}
if [ -z "$bin" ]; then
  echo "==> building gatehouse $RELEASE ($COMMIT)"
  mkdir -p "$work/src"
  git archive "$COMMIT" | tar -x -C "$work/src"
  (cd "$work/src" && CARGO_TARGET_DIR="$work/target" cargo build -p server --bin gatehouse)
  bin="$work/target/debug/gatehouse"
fi

ADMIN=ada@acme.example
ADMIN_PASSWORD="fixture admin password"
PEOPLE_PASSWORD="fixture people password"
CERT=$(cat server/tests/fixtures/saml/idp-cert.pem)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# A server function call as the browser makes it: $1 cookie jar, $2 endpoint, then curl's data arguments.
form() { local jar=$1 ep=$2; shift 2; curl -sf -b "$jar" -c "$jar" -H "Origin: $base" "$base/api/$ep" "$@"; }
json() { local jar=$1 ep=$2; shift 2; curl -sf -b "$jar" -c "$jar" -H "Origin: $base" -H 'Content-Type: application/json' "$base/api/$ep" -d "$1"; }
scim() { local method=$1 path=$2; shift 2; curl -sf -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' "$base/scim/v2$path" "$@"; }
sign_in() { rm -f "$1"; form "$1" sign_in --data-urlencode org=acme --data-urlencode "email=$2" --data-urlencode "password=$3" >/dev/null; }

# The journey, against a database URL; prints the SCIM token.
journey() {
  local url=$1 dir=$2
  mkdir -p "$dir/site"
  printf '%s\n' "$ADMIN_PASSWORD" >"$dir/pw"
  GATEHOUSE_DATABASE_URL=$url "$bin" setup --org acme --name Acme --admin-email "$ADMIN" \
    --admin-password-file "$dir/pw" --admin-first-name Ada --admin-last-name Admin >&2
  GATEHOUSE_DATABASE_URL=$url GATEHOUSE_BIND=127.0.0.1:$port LEPTOS_SITE_ROOT=$dir/site GATEHOUSE_ALLOW_MISSING_SITE=true RUST_LOG=warn \
    "$bin" serve >"$dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

  local admin=$dir/admin.jar casey=$dir/casey.jar
  sign_in "$admin" "$ADMIN" "$ADMIN_PASSWORD"
  local analytics finance creator viewer
  analytics=$(form "$admin" create_team -d org=acme -d name=Analytics --data-urlencode "description=Builds the company's dashboards." | jq -r .)
  finance=$(form "$admin" create_team -d org=acme -d name=Finance --data-urlencode "description=Budgets and month-end." | jq -r .)
  creator=$(form "$admin" account_types -d org=acme | jq -r '.[] | select(.built_in == "creator") | .id')
  viewer=$(form "$admin" account_types -d org=acme | jq -r '.[] | select(.built_in == "viewer") | .id')
  local no_export
  no_export=$(json "$admin" save_account_type '{"org":"acme","id":null,"input":{"name":"Creator - No Export","description":"Creates documents; exports nothing.","permissions":["view_documents","explore_documents","create_documents","upload_csv","share_documents"]}}' | jq -r .)

  # Invited people: two accept, one stays pending.
  local links
  links=$(json "$admin" invite_users "$(jq -nc --arg t "$creator" --arg a "$analytics" \
    '{org:"acme",people:"casey@acme.example, Casey, Creator\nval@acme.example, Val, Viewer\nperry@acme.example, Perry, Pending",account_type_id:$t,team_ids:[$a]}')")
  for who in casey val; do
    local token
    token=$(jq -r --arg e "$who@acme.example" '.[] | select(.email == $e) | .link | split("/") | last' <<<"$links")
    form "$dir/anon.jar" accept_invitation -d org=acme -d "token=$token" \
      --data-urlencode "password=$PEOPLE_PASSWORD" --data-urlencode "password_confirm=$PEOPLE_PASSWORD" >/dev/null
  done
  local val_id casey_id
  val_id=$(jq -r '.[] | select(.email == "val@acme.example") | .user_id' <<<"$links")
  casey_id=$(jq -r '.[] | select(.email == "casey@acme.example") | .user_id' <<<"$links")
  json "$admin" change_account_type "$(jq -nc --arg u "$val_id" --arg t "$viewer" '{org:"acme",user_ids:[$u],account_type_id:$t}')" >/dev/null
  json "$admin" team_members "$(jq -nc --arg u "$val_id" --arg t "$finance" '{org:"acme",team_id:$t,user_ids:[$u],add:true}')" >/dev/null

  # A creator uploads a CSV, makes two documents (one in a team workspace) and shares one.
  sign_in "$casey" casey@acme.example "$PEOPLE_PASSWORD"
  local dataset doc
  dataset=$(form "$casey" upload_csv -d org=acme --data-urlencode "name=Quarterly revenue" \
    --data-urlencode "csv=$(printf 'region,quarter,revenue\nNorth,Q1,1200.50\nSouth,Q1,980\nNorth,Q2,1410.25\nSouth,Q2,1105\nEast,Q2,\n')" | jq -r .)
  doc=$(form "$casey" create_document -d org=acme --data-urlencode "name=Revenue by region" -d "dataset_id=$dataset" | jq -r .)
  form "$casey" create_document -d org=acme --data-urlencode "name=Analytics revenue" -d "dataset_id=$dataset" -d "team_id=$analytics" >/dev/null
  form "$casey" share_document -d org=acme -d "id=$doc" -d "team_id=$finance" >/dev/null
  curl -sf -b "$casey" "$base/acme/documents/$doc/export.csv" >/dev/null

  # The admin's settings: a webhook destination, SAML single sign-on, a provisioning token.
  form "$admin" allow_webhook -d org=acme --data-urlencode "url=https://hooks.example.com/gatehouse" >/dev/null
  json "$admin" save_authentication "$(jq -nc --arg c "$CERT" \
    '{org:"acme",input:{method:"saml_or_password",idp_login_url:"https://idp.example.com/sso",idp_certificate:$c,idp_issuer:"https://idp.example.com/metadata",session_days:14}}')" >/dev/null
  TOKEN=$(form "$admin" create_provisioning_token -d org=acme -d name=okta -d acknowledged=true | jq -r .token)

  # The identity provider: users of three account types, a group, a deactivation, deletions.
  local noor lee kim eng
  noor=$(scim POST /Users -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"noor@acme.example","externalId":"okta-noor","name":{"givenName":"Noor","familyName":"Haddad"},"emails":[{"value":"noor@acme.example","type":"work","primary":true}],"userType":"Author","active":true}' | jq -r .id)
  lee=$(scim POST /Users -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"lee@acme.example","externalId":"okta-lee","name":{"givenName":"Lee","familyName":"Park"},"active":true}' | jq -r .id)
  kim=$(scim POST /Users -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim@acme.example","name":{"givenName":"Kim","familyName":"Ito"},"userType":"Creator - No Export"}' | jq -r .id)
  eng=$(scim POST /Groups -d "$(jq -nc --arg n "$noor" --arg l "$lee" '{schemas:["urn:ietf:params:scim:schemas:core:2.0:Group"],displayName:"Engineering",externalId:"okta-eng",members:[{value:$n},{value:$l}]}')" | jq -r .id)
  local gone
  gone=$(scim POST /Groups -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Contractors"}' | jq -r .id)
  scim PATCH "/Users/$lee" -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}' >/dev/null
  scim DELETE "/Users/$kim" >/dev/null
  scim DELETE "/Groups/$gone" >/dev/null
  : "$eng"

  # The admin deactivates Casey: her documents move to the admin's "Archived users".
  json "$admin" deactivate_users "$(jq -nc --arg u "$casey_id" '{org:"acme",user_ids:[$u],new_owner_id:null}')" >/dev/null
  # Security events: a failed sign-in, a failed SSO sign-in, a sign-out.
  form "$dir/anon.jar" sign_in -d org=acme --data-urlencode "email=$ADMIN" --data-urlencode "password=not the password" -o /dev/null || true
  curl -s -o /dev/null "$base/acme/finish-login" --data-urlencode "SAMLResponse=bm90IGEgcmVzcG9uc2U=" || true
  form "$admin" sign_out -d org=acme >/dev/null

  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  echo "$TOKEN"
}

mkdir -p "$OUT"
echo "==> SQLite: the journey on gatehouse $RELEASE"
mkdir -p "$work/sqlite"
sqlite_token=$(journey "sqlite://$work/sqlite/gatehouse.db" "$work/sqlite")
# One self-contained file (no -wal beside it), as small as it can be.
sqlite3 "$work/sqlite/gatehouse.db" 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;' >/dev/null
cp "$work/sqlite/gatehouse.db" "$OUT/$RELEASE.db"

echo "==> PostgreSQL: the same journey"
admin_url=$GATEHOUSE_TEST_POSTGRES
pg_base=${admin_url%/*}
bindir=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_dump | tail -1)")
"$bindir/psql" -q "$admin_url" -c 'CREATE DATABASE fixture'
mkdir -p "$work/pg"
pg_token=$(journey "$pg_base/fixture" "$work/pg")
"$bindir/pg_dump" --format=plain --no-owner --no-privileges --file="$OUT/$RELEASE.postgres.sql" "$pg_base/fixture"

jq -n --arg release "$RELEASE" --arg commit "$COMMIT" --arg admin "$ADMIN" --arg ap "$ADMIN_PASSWORD" --arg pp "$PEOPLE_PASSWORD" \
  --arg st "$sqlite_token" --arg pt "$pg_token" --arg pg "$("$bindir/postgres" --version)" \
  '{release:$release, commit:$commit, admin_email:$admin, admin_password:$ap, people_password:$pp,
    scim_token:{sqlite:$st, postgres:$pt}, made_with:$pg}' >"$OUT/$RELEASE.json"
ls -l "$OUT"
