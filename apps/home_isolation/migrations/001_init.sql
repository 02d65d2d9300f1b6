-- Home isolation app: F0/F1 enrolments, daily reports, alerts, officer notes.
-- Times are UTC (TIMESTAMP without zone); dates are local (Asia/Ho_Chi_Minh) calendar dates.

CREATE TABLE hi_enrolments (
    id VARCHAR PRIMARY KEY,
    person_id VARCHAR NOT NULL,          -- CCCD (12 digits) or passport number, upper case
    full_name VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    province_code INTEGER NOT NULL,
    ward_code INTEGER NOT NULL,
    age SMALLINT,                        -- NULL: unknown (F1 enrolled from tracing)
    chronic VARCHAR NOT NULL DEFAULT '', -- comma-separated condition codes
    vaccine_doses SMALLINT,              -- NULL: unknown
    kind VARCHAR NOT NULL,               -- 'F0' | 'F1'
    source_id VARCHAR,                   -- F1: the F0 enrolment it is linked to
    test_date DATE,                      -- F0: positive test
    test_type VARCHAR,                   -- F0: 'pcr' | 'antigen'
    onset_date DATE,                     -- F0: symptom onset (NULL: no symptoms)
    exposure_date DATE,                  -- F1: last exposure
    isolation_end DATE NOT NULL,
    status VARCHAR NOT NULL,             -- 'isolating' | 'hospital' | 'released'
    level VARCHAR NOT NULL DEFAULT 'green',
    level_rank SMALLINT NOT NULL DEFAULT 0,
    level_reasons VARCHAR NOT NULL DEFAULT '',
    last_report_at TIMESTAMP,
    reports_count INTEGER NOT NULL DEFAULT 0,
    assigned_to VARCHAR,
    token_id VARCHAR,
    negative_test_date DATE,
    enrolled_at TIMESTAMP NOT NULL,
    enrolled_by VARCHAR NOT NULL,
    released_at TIMESTAMP,
    released_by VARCHAR,
    transferred_at TIMESTAMP
);

-- One person cannot be enrolled twice at once: a row here while not released.
CREATE TABLE hi_active (
    person_id VARCHAR PRIMARY KEY,
    enrolment_id VARCHAR NOT NULL
);

CREATE TABLE hi_reports (
    id VARCHAR NOT NULL,
    enrolment_id VARCHAR NOT NULL,
    measured_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    temperature DOUBLE NOT NULL,
    spo2 SMALLINT NOT NULL,
    pulse SMALLINT NOT NULL,
    resp_rate SMALLINT NOT NULL,
    symptoms VARCHAR NOT NULL DEFAULT '',
    medicines VARCHAR NOT NULL DEFAULT '',
    note VARCHAR NOT NULL DEFAULT '',
    level VARCHAR NOT NULL,
    level_rank SMALLINT NOT NULL,
    reasons VARCHAR NOT NULL DEFAULT ''
);

CREATE TABLE hi_alerts (
    id VARCHAR NOT NULL,
    enrolment_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- 'red' | 'missed' | 'worsening'
    opened_at TIMESTAMP NOT NULL,
    report_id VARCHAR,
    acknowledged_at TIMESTAMP,
    acknowledged_by VARCHAR,
    resolved_at TIMESTAMP                -- closed by itself (a report after a missed alert)
);

CREATE TABLE hi_notes (
    id VARCHAR NOT NULL,
    enrolment_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- 'note' | 'assign' | 'ack' | 'transfer' | 'release' | 'enrol'
    text VARCHAR NOT NULL
);
