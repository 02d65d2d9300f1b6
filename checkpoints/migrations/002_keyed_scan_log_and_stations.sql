-- Issue 14 items 4 and 11.
-- cp_scans.token_hash is now HMAC-SHA256(server key, token id), only for scans whose token
-- signature verified (NULL otherwise): logs cannot be joined into movement traces without the
-- server's key, and a forged code claiming a real permit's id is never counted against it.
-- code_hash is HMAC-SHA256(server key, SHA-256 of the scanned text) for scans that did not
-- verify: it counts repeats of one forged code and identifies nobody's permit.
-- The unkeyed SHA-256 hashes written before cannot be turned into keyed ones (the ids are not
-- kept): they are dropped.
-- (DuckDB alters a table only without indexes: both are dropped and made again.)
DROP INDEX cp_scans_token;
DROP INDEX cp_scans_time;
ALTER TABLE cp_scans ALTER COLUMN token_hash DROP NOT NULL;
UPDATE cp_scans SET token_hash = NULL;
ALTER TABLE cp_scans ADD COLUMN code_hash VARCHAR;
CREATE INDEX cp_scans_time ON cp_scans (scanned_at);
CREATE INDEX cp_scans_token ON cp_scans (token_hash);

-- Stations that may upload scan logs: the public key each signs its log with, registered by
-- an administrator for one checkpoint. Uploaded rows take their checkpoint and staff name
-- from here, never from the file.
CREATE TABLE cp_stations (
    kid VARCHAR PRIMARY KEY,            -- 16 hex digits of SHA-256 over the public key
    public_key VARCHAR NOT NULL,        -- base64 SubjectPublicKeyInfo DER (Ed25519)
    checkpoint_id VARCHAR NOT NULL,
    staff VARCHAR NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    registered_by VARCHAR NOT NULL,
    retired_at TIMESTAMP
);
