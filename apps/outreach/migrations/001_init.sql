-- Outreach: follow-up cases of people at risk, one open case per person, assigned to the ward
-- of the person; every risk event (a red/yellow declaration, a co-location with an F0) is kept
-- once per person and event; every call attempt with its outcome.
CREATE TABLE or_cases (
    id VARCHAR PRIMARY KEY,
    person_key BIGINT NOT NULL,          -- core.forms.identity.person_key
    person_id VARCHAR NOT NULL,          -- CCCD or passport number
    full_name VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    ward_code INTEGER NOT NULL,          -- the ward whose health workers follow the person up
    lang VARCHAR NOT NULL DEFAULT 'vi',
    kind VARCHAR NOT NULL,               -- first event: 'declaration' | 'exposure'
    level VARCHAR NOT NULL,              -- 'yellow' | 'red'
    reasons VARCHAR NOT NULL DEFAULT '',
    venue_name VARCHAR NOT NULL DEFAULT '',
    event_at TIMESTAMP NOT NULL,         -- when the person became at risk (UTC)
    opened_at TIMESTAMP NOT NULL,
    due_on DATE NOT NULL,                -- next call due (local date)
    events INTEGER NOT NULL DEFAULT 1,
    attempts SMALLINT NOT NULL DEFAULT 0,
    last_attempt_at TIMESTAMP,
    status VARCHAR NOT NULL DEFAULT 'open',   -- 'open' | 'closed'
    outcome VARCHAR,                     -- the last attempt's outcome
    reached_at TIMESTAMP,                -- first time the person was reached
    closed_at TIMESTAMP
);

CREATE TABLE or_events (
    person_key BIGINT NOT NULL,
    event_key VARCHAR NOT NULL,          -- 'decl:<declaration id>' | 'exp:<venue>:<day>'
    case_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    event_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_key, event_key)
);

CREATE TABLE or_attempts (
    case_id VARCHAR NOT NULL,
    attempt_no SMALLINT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    outcome VARCHAR NOT NULL,            -- models.OUTCOMES
    note VARCHAR NOT NULL DEFAULT '',
    worker VARCHAR NOT NULL,
    PRIMARY KEY (case_id, attempt_no)
);
