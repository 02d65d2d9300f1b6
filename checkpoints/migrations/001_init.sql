-- Checkpoint scanner: the checkpoint identities and the central scan log.
-- token_hash is sha256 of the token id (never the raw id); scan_id is unique per verdict and
-- makes station uploads idempotent.
CREATE TABLE cp_checkpoints (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    zone VARCHAR NOT NULL,              -- ward code
    latitude DOUBLE,
    longitude DOUBLE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE cp_scans (
    scan_id VARCHAR PRIMARY KEY,
    scanned_at TIMESTAMP NOT NULL,      -- UTC
    checkpoint_id VARCHAR NOT NULL,
    staff VARCHAR NOT NULL,
    token_hash VARCHAR NOT NULL,
    token_type VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,           -- VALID | INVALID | WARN
    reason VARCHAR NOT NULL,
    source VARCHAR NOT NULL,            -- station | server
    received_at TIMESTAMP NOT NULL
);

CREATE INDEX cp_scans_time ON cp_scans (scanned_at);
CREATE INDEX cp_scans_token ON cp_scans (token_hash);
