// A real OpenID provider (the certified npm package oidc-provider) for the
// tests and for trying OpenID Connect sign-in with a local Gatehouse.
//
// usage: node end2end/oidc-provider.mjs
//   OIDC_PORT           its port (7100)
//   OIDC_CLIENT_ID      the client Gatehouse is registered as (gatehouse)
//   OIDC_CLIENT_SECRET  its secret (gatehouse-secret)
//   OIDC_REDIRECT_URIS  the redirect URIs Gatehouse shows, comma-separated
//                       (http://127.0.0.1:3000/acme/oidc/callback)
//   OIDC_EMAIL          whom the provider signs in when the request names
//                       nobody (admin@acme.example)
//
// Its issuer is http://127.0.0.1:<port>. Anyone signs in without a password:
// the account is the sign-in's login_hint, or the one last set with
// GET /test/login?email=…; emails starting with "unverified" are not verified.
//
// What the tests use to play a broken or hostile provider, each until changed
// (GET /test/mode?set=<mode>, `set=` for none):
//   wrong_aud       ID tokens name another client as their audience
//   expired         ID tokens expired an hour ago
//   bad_signature   ID tokens whose signature does not match
//   alg_none        ID tokens "signed" with alg none
//   nonce           ID tokens with another sign-in's nonce
//   discovery_issuer the discovery document names another issuer
// and GET /test/rotate: the provider signs with a new key from now on, and its
// key set holds only that key.
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

const port = Number(process.env.OIDC_PORT || 7100);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID || 'gatehouse';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'gatehouse-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:3000/acme/oidc/callback').split(',').filter(Boolean);
let currentEmail = process.env.OIDC_EMAIL || 'admin@acme.example';
let mode = '';

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk };
}

let key = await signingKey('key-1');

const provider = new Provider(issuer, {
  clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'] }],
  jwks: { keys: [key.jwk] },
  pkce: { required: () => true },
  // The claims the scopes ask for go into the ID token, as Okta's and Entra's do.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  features: { devInteractions: { enabled: false } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.startsWith('unverified'), name: id.split('@')[0] };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // Consent is taken as given: the grant covers what the client asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
});

// What an honest provider would sign, changed the way the mode says, and signed again.
async function tampered(idToken) {
  const claims = decodeJwt(idToken);
  const header = decodeProtectedHeader(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'wrong_aud':
      claims.aud = 'another-client';
      claims.azp = 'another-client';
      break;
    case 'expired':
      claims.iat = now - 7200;
      claims.exp = now - 3600;
      break;
    case 'nonce':
      claims.nonce = 'a-nonce-of-another-sign-in';
      break;
    case 'alg_none': {
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    }
    case 'bad_signature': {
      const [h, p, s] = idToken.split('.');
      const flipped = Buffer.from(s, 'base64url');
      flipped[0] ^= 0xff;
      return `${h}.${p}.${flipped.toString('base64url')}`;
    }
    default:
      if (header.kid === key.jwk.kid) return idToken;
  }
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid, typ: header.typ }).sign(key.privateKey);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/mode') {
    mode = ctx.query.set || '';
    ctx.body = { mode };
    return;
  }
  if (ctx.path === '/test/login') {
    currentEmail = ctx.query.email;
    ctx.body = { email: currentEmail };
    return;
  }
  if (ctx.path === '/test/rotate') {
    key = await signingKey(`key-${Date.now()}`);
    ctx.body = { kid: key.jwk.kid };
    return;
  }
  if (ctx.path.startsWith('/interaction/')) {
    // Signs in the login_hint's account, or the current one, at once.
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = details.params.login_hint || currentEmail;
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token && (mode || ctx.body.id_token)) {
    ctx.body.id_token = await tampered(ctx.body.id_token);
  }
  if (ctx.path === '/jwks' && key.jwk.kid !== 'key-1') {
    const { d, p, q, dp, dq, qi, ...publicJwk } = key.jwk;
    ctx.body = { keys: [publicJwk] };
  }
  if (ctx.path === '/.well-known/openid-configuration' && mode === 'discovery_issuer') {
    ctx.body = { ...ctx.body, issuer: `http://localhost:${port}` };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`OpenID provider ready at ${issuer} (client ${clientId}, redirect URIs ${redirectUris.join(' ')})`);
});
