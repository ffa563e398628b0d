#!/usr/bin/env bash
# Starts a real SAML identity provider (the npm package saml-idp) for trying
# single sign-on with a local Gatehouse, as the QuickStart does with Okta.
# usage: scripts/test-idp.sh [org] [gatehouse-url]   (IDP_PORT: its port, 7000)
#   make idp ORG=acme URL=http://127.0.0.1:3000 IDP_PORT=7000
# It installs only what it runs (npm packages, openssl), nothing to build with.
set -euo pipefail
cd "$(dirname "$0")/.."
org=${1:-acme}
base=${2:-${GATEHOUSE_BASE_URL:-http://127.0.0.1:3000}}
base=${base%/}
port=${IDP_PORT:-7000}
case "$base" in
  http://*|https://*) ;;
  *) echo "test-idp: the Gatehouse URL must start with http:// or https:// (got “$base”)" >&2; exit 2 ;;
esac
case "$org" in
  ""|*[!a-z0-9-]*) echo "test-idp: the organization is its URL name, such as acme (got “$org”)" >&2; exit 2 ;;
esac
dir=data/test-idp
scripts/ensure-tools.sh --idp
mkdir -p "$dir"
if [ ! -f "$dir/idp-cert.pem" ]; then
  openssl req -x509 -new -newkey rsa:2048 -nodes -subj "/CN=Gatehouse Test IdP" \
    -keyout "$dir/idp-key.pem" -out "$dir/idp-cert.pem" -days 365 2>/dev/null
  chmod 600 "$dir/idp-key.pem"
fi
cat > "$dir/idp-config.js" <<JS
module.exports = {
  user: { userName: "${IDP_EMAIL:-admin@$org.example}", nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", email: "${IDP_EMAIL:-admin@$org.example}" },
  metadata: [{ id: "email", optional: false, displayName: "E-Mail Address", description: "email", multiValue: false }],
};
JS
cat <<TXT
Test identity provider for the organization "$org" at $base.
In Gatehouse: Administration > Authentication > Edit, choose "SAML or password", and paste
  Identity provider login URL:        http://127.0.0.1:$port/saml/sso
  Identity provider X509 certificate: the text below
$(cat "$dir/idp-cert.pem")
Then "Sign in with SSO" on $base/$org/login, or sign in at http://127.0.0.1:$port/ (IdP-initiated).
The IdP asks for no password: type the email of the person to sign in as. Ctrl-C stops it.
TXT
exec end2end/node_modules/.bin/saml-idp --host 127.0.0.1 --port "$port" \
  --cert "$dir/idp-cert.pem" --key "$dir/idp-key.pem" --issuer urn:gatehouse:test-idp \
  --acsUrl "$base/$org/finish-login" --audience "$base/$org/saml/metadata" \
  --configFile "$(pwd)/$dir/idp-config.js" --static
