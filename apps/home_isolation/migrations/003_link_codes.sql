-- Monitoring links with a second factor (issue 14 item 10): a short code given at enrolment
-- (stored as a keyed hash, never in clear), tries with a growing wait, and the browser
-- sessions opened with it (a cookie holds the session key; only its hash is stored here).
ALTER TABLE hi_enrolments ADD COLUMN link_code_hash VARCHAR;
ALTER TABLE hi_enrolments ADD COLUMN link_failures INTEGER DEFAULT 0;
ALTER TABLE hi_enrolments ADD COLUMN link_wait_until TIMESTAMP;

CREATE TABLE hi_link_sessions (
    key_hash VARCHAR PRIMARY KEY,        -- sha256 of the cookie's random session key
    enrolment_id VARCHAR NOT NULL,
    token_id VARCHAR NOT NULL,           -- the link it was opened with: rotating ends it
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL        -- the link's own expiry
);
