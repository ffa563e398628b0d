-- The Users page's search also matches the start of an email's domain
-- ("acme" finds ada@acme.com). The domain is an expression of email_norm,
-- indexed as such, so nothing that writes people has to keep a copy: rtrim
-- strips the domain's characters from the end, leaving everything up to the
-- "@", and substr takes what follows. (A domain with other characters is
-- found by the start of its last such run.) The search must write the
-- expression exactly like this for the index to be used.
CREATE INDEX users_org_domain ON users (org_id, (substr(email_norm, length(rtrim(email_norm, 'abcdefghijklmnopqrstuvwxyz0123456789.-_')) + 1)));
