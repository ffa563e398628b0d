-- Mail waiting to be sent, and a record of what was: Gatehouse queues a
-- message in the transaction that decides it (an invitation, a reset link, a
-- sign-in notice), and a sender task delivers it over SMTP, retrying with
-- back-off while the mail server is down. Every instance sends from the same
-- queue: an instance claims a message until `claimed_until` before sending it.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    -- what it is: invitation, password_reset, sign_in_notice, password_changed, test
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    -- emptied once the message is sent or given up (a reset link is a secret)
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- not sent after this time (the link in it no longer works); NULL: no limit
    send_before     TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
