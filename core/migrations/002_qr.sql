-- Signed QR tokens issued by this server, and the revocation list checkpoints download.
CREATE TABLE qr_tokens (
    token_id VARCHAR PRIMARY KEY,
    prefix VARCHAR NOT NULL,
    kid VARCHAR NOT NULL,
    subject VARCHAR NOT NULL DEFAULT '',
    issued_at TIMESTAMP NOT NULL,
    not_before TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    token_text VARCHAR NOT NULL
);

CREATE TABLE qr_revocations (
    token_id VARCHAR PRIMARY KEY,
    revoked_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
