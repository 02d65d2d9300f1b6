-- Travel permits: businesses, employee rosters, requests with per-employee items, permits.
-- Permit id = the QR token id (core qr_tokens.token_id); validity = the token's nbf/exp.
CREATE TABLE tp_businesses (
    id VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL UNIQUE,
    username VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    tax_code VARCHAR NOT NULL UNIQUE,
    sector VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    province_code INTEGER NOT NULL,
    ward_code INTEGER NOT NULL,
    contact_name VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- pending | verified | rejected
    status_reason VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    verified_at TIMESTAMP,
    verified_by VARCHAR
);

CREATE TABLE tp_employees (
    business_id VARCHAR NOT NULL,
    cccd VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    home_ward INTEGER NOT NULL,
    work_ward INTEGER NOT NULL,
    plate VARCHAR NOT NULL DEFAULT '',
    job_title VARCHAR NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (business_id, cccd)
);

CREATE TABLE tp_requests (
    id VARCHAR PRIMARY KEY,
    business_id VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    zones INTEGER[] NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL,
    n_employees INTEGER NOT NULL,
    status VARCHAR NOT NULL,            -- pending | approved | partial | rejected
    submitted_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by VARCHAR,
    reason_code VARCHAR,
    reason_text VARCHAR,
    n_approved INTEGER NOT NULL DEFAULT 0,
    resubmitted_from VARCHAR,
    created_by VARCHAR NOT NULL
);

CREATE TABLE tp_request_items (
    request_id VARCHAR NOT NULL,
    cccd VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- pending | approved | rejected
    reason_code VARCHAR,
    permit_id VARCHAR,
    PRIMARY KEY (request_id, cccd)
);

CREATE TABLE tp_permits (
    permit_id VARCHAR PRIMARY KEY,
    request_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    cccd VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    zones INTEGER[] NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    issued_by VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- active | revoked | renewed
    revoked_at TIMESTAMP,
    revoked_by VARCHAR,
    revoke_reason VARCHAR,
    renewed_from VARCHAR
);
