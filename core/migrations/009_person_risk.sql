-- A person's risk signals, written by the apps that own them (core.risk), read by every app.
-- One row per (person, source, ref): an isolation enrolment, a declaration, a co-location with
-- an F0. A signal counts while cleared_at IS NULL and since <= now < until (until NULL: until
-- cleared). person_key is the forms core's integer key of the CCCD/passport number
-- (core.forms.identity.person_key); person_id is kept beside it so a hash never mixes people.
CREATE TABLE person_risk (
    person_key BIGINT NOT NULL,
    person_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,             -- 'isolation' | 'declaration' | 'exposure'
    ref VARCHAR NOT NULL,                -- the event: enrolment id, declaration id, venue:time
    level VARCHAR NOT NULL,              -- 'green' | 'yellow' | 'red'
    level_rank SMALLINT NOT NULL,        -- 0 green, 1 yellow, 2 red
    reason_code VARCHAR NOT NULL,        -- e.g. 'F0', 'F1', 'exp_case', 'exposure_f0'
    since TIMESTAMP NOT NULL,
    until TIMESTAMP,
    cleared_at TIMESTAMP,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by VARCHAR NOT NULL,
    PRIMARY KEY (person_key, source, ref)
);

-- One person's status is an index lookup, not a scan (<= 5 ms at city scale).
CREATE INDEX person_risk_person ON person_risk (person_key);
