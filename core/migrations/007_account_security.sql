-- Account security (issue 14): a password chosen by someone else (``rapid init``, a reset by an
-- admin) must be changed at the first login; failed logins slow down per account and per client
-- instead of locking an account anyone can lock.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;

-- One row per throttled subject: ``scope`` is 'account' (the name typed, known or not, so the
-- throttle says nothing about which accounts exist) or 'client' (an address). ``subject`` is a
-- keyed hash, never the typed text. An attempt is refused unread while now < blocked_until.
CREATE TABLE login_throttle (
    scope VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP,
    PRIMARY KEY (scope, subject)
);
