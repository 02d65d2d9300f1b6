-- Anonymous actions are audited in aggregate: one row per (hour, action) with the number of
-- attempts, of attempts that matched something, and of attempts refused by a limit
-- (core.audit.count). Never a row per request.
CREATE TABLE audit_counts (
    hour TIMESTAMP NOT NULL,             -- UTC, truncated to the hour
    action VARCHAR NOT NULL,             -- e.g. 'hd.lookup', 'web.health_declaration.look_up'
    attempts BIGINT NOT NULL DEFAULT 0,
    matches BIGINT NOT NULL DEFAULT 0,
    throttled BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, action)
);

-- Per-identity limits of the public pages (core.web.security.spend_quotas): uses per window
-- for one identity (a CCCD, a phone number). ``subject`` is a keyed hash of the identity, so
-- the table holds no CCCD or phone number. Rows older than two windows are deleted as new
-- ones arrive.
CREATE TABLE web_quota (
    scope VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    window_start TIMESTAMP NOT NULL,     -- UTC, a multiple of the window's length
    n INTEGER NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
);

-- Messages sent through the pluggable sender (core.notify): one row per event, so nothing is
-- sent twice for the same event. The text is not kept (a one-time code must not be stored in
-- clear); the number is kept as a keyed hash and a masked form for people reading the table.
CREATE TABLE notify_outbox (
    dedupe_key VARCHAR PRIMARY KEY,      -- the event, e.g. 'hd.code:<challenge hash>'
    kind VARCHAR NOT NULL,               -- e.g. 'hd.code'
    to_hash VARCHAR NOT NULL,
    to_masked VARCHAR NOT NULL,          -- '+84******456'
    lang VARCHAR NOT NULL,
    sender VARCHAR NOT NULL,
    status VARCHAR NOT NULL,             -- 'sending' | 'sent' | 'failed'
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    message_id VARCHAR NOT NULL DEFAULT '',
    error VARCHAR NOT NULL DEFAULT ''
);
