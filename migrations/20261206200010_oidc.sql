-- OpenID Connect sign-in (Administration > Authentication, "OAuth (OpenID
-- Connect)"): the provider's issuer, the client Gatehouse is registered as, and
-- the lockout guard's record, beside SAML's. The client secret is stored
-- sealed with a key derived from the instance key (service::keys), never as typed.
ALTER TABLE auth_settings ADD COLUMN oidc_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_settings ADD COLUMN oidc_client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_settings ADD COLUMN oidc_client_secret_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_settings ADD COLUMN oidc_scopes TEXT NOT NULL DEFAULT 'openid email profile';
-- the ID token claim that holds the person's email
ALTER TABLE auth_settings ADD COLUMN oidc_email_claim TEXT NOT NULL DEFAULT 'email';
-- when the provider settings (issuer, client, secret) last changed
ALTER TABLE auth_settings ADD COLUMN oidc_changed_at TEXT;
-- when an admin last signed in through OpenID Connect with the current
-- settings; cleared when they change (the lockout guard for OpenID Connect only)
ALTER TABLE auth_settings ADD COLUMN oidc_verified_at TEXT;
ALTER TABLE auth_settings ADD COLUMN oidc_verified_by TEXT;
