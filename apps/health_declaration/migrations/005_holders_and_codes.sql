-- Knowing someone's phone number and CCCD no longer shows their pass: the phone that declared
-- keeps a secret in a cookie (its hash here), and another phone proves it holds the declared
-- number with a one-time code sent there by SMS.

-- A pass holder's secret: the phone that declared, or one that entered a code sent to the
-- declared number. Bound to one declaration; a new declaration from that phone moves every
-- secret bound to the declaration it replaces.
CREATE TABLE hd_holders (
    secret_hash VARCHAR PRIMARY KEY,     -- SHA-256 of the secret in the phone's cookie
    person_key BIGINT NOT NULL,          -- whose passes this phone holds
    declaration_id VARCHAR NOT NULL,     -- the pass it shows
    declared_at TIMESTAMP NOT NULL,      -- of that declaration (finds it without a scan)
    how VARCHAR NOT NULL,                -- 'declared' | 'code'
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- One-time codes sent to a declared phone: hashed (keyed with the server secret), 10 minutes,
-- 5 tries, used once. Rows are deleted a day after they expire.
CREATE TABLE hd_codes (
    challenge_hash VARCHAR PRIMARY KEY,  -- SHA-256 of the challenge the page carries
    code_hash VARCHAR NOT NULL,
    declaration_id VARCHAR NOT NULL,
    declared_at TIMESTAMP NOT NULL,
    person_key BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    tries SMALLINT NOT NULL DEFAULT 0,
    used_at TIMESTAMP
);

-- A declaration made while the person had a valid one from another phone does not replace it:
-- both stay, and the officers' list flags the newer one ('new_phone').
ALTER TABLE hd_declarations ADD COLUMN holder_flag VARCHAR NOT NULL DEFAULT '';
-- The language the person declared in: SMS to the declared number are written in it.
ALTER TABLE hd_declarations ADD COLUMN lang VARCHAR NOT NULL DEFAULT 'vi';
