-- How an organization's people sign in, and the state SAML single sign-on
-- keeps between requests. Everything lives in the database so that several
-- instances behind a load balancer see the same requests and used assertions.

CREATE TABLE auth_settings (
    org_id            TEXT PRIMARY KEY REFERENCES organizations(id),
    -- 'password', 'saml' or 'saml_or_password'
    method            TEXT NOT NULL DEFAULT 'password',
    idp_login_url     TEXT NOT NULL DEFAULT '',
    -- PEM, as the admin pasted it (normalised to BEGIN/END lines)
    idp_certificate   TEXT NOT NULL DEFAULT '',
    -- optional: when set, a response's Issuer must equal it
    idp_issuer        TEXT NOT NULL DEFAULT '',
    session_days      BIGINT NOT NULL DEFAULT 30,
    -- when the identity provider settings (URL, certificate, issuer) last changed
    idp_changed_at    TEXT,
    -- when an admin last signed in through SSO with the current settings;
    -- cleared when they change (the lockout guard for SAML-only)
    sso_verified_at   TEXT,
    sso_verified_by   TEXT,
    updated_at        TEXT NOT NULL
);

-- Outstanding SP-initiated sign-ins: the AuthnRequest id the response must
-- answer, the RelayState sent with it, and until when it may be answered.
CREATE TABLE saml_requests (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    relay_state  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX saml_requests_expiry ON saml_requests (expires_at);

-- Response and assertion ids already used, kept until they expire: a second
-- use of the same response is refused on every instance.
CREATE TABLE saml_used_ids (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    used_key    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, used_key)
);
CREATE INDEX saml_used_ids_expiry ON saml_used_ids (expires_at);
