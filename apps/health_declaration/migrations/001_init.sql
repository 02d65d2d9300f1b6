-- Health declaration app: declarations, venues, check-ins, epidemic areas.
-- Times are UTC (TIMESTAMP without zone). Large tables carry no index: rows are appended in
-- time order (declarations) or bulk-loaded ordered by (venue_id, checked_in_at) (check-ins), so
-- DuckDB's per-row-group min/max (zone maps) prune the scans the services make.

CREATE TABLE hd_declarations (
    id VARCHAR NOT NULL,
    declared_at TIMESTAMP NOT NULL,
    person_id VARCHAR NOT NULL,          -- CCCD (12 digits) or passport number, upper case
    person_key BIGINT NOT NULL,          -- integer key of person_id (service.person_key): fast scans
    id_kind VARCHAR NOT NULL,            -- 'cccd' | 'passport'
    full_name VARCHAR NOT NULL,
    birth_year SMALLINT NOT NULL,
    sex VARCHAR NOT NULL,                -- 'M' | 'F' | 'O'
    nationality VARCHAR NOT NULL,        -- ISO 3166 alpha-2, 'VN' by default
    phone VARCHAR NOT NULL,              -- national form 0xxxxxxxxx
    province_code INTEGER NOT NULL,
    ward_code INTEGER NOT NULL,
    street VARCHAR NOT NULL,
    visited_provinces VARCHAR NOT NULL DEFAULT '',   -- comma-separated province codes
    visited_countries VARCHAR NOT NULL DEFAULT '',   -- comma-separated ISO codes
    fever BOOLEAN NOT NULL DEFAULT FALSE,
    cough BOOLEAN NOT NULL DEFAULT FALSE,
    short_breath BOOLEAN NOT NULL DEFAULT FALSE,
    sore_throat BOOLEAN NOT NULL DEFAULT FALSE,
    nausea BOOLEAN NOT NULL DEFAULT FALSE,
    diarrhoea BOOLEAN NOT NULL DEFAULT FALSE,
    skin_bleeding BOOLEAN NOT NULL DEFAULT FALSE,
    rash BOOLEAN NOT NULL DEFAULT FALSE,
    exp_case BOOLEAN NOT NULL DEFAULT FALSE,        -- contact with a COVID-19 case or suspect
    exp_area BOOLEAN NOT NULL DEFAULT FALSE,        -- someone from a country/area with COVID-19
    exp_symptoms BOOLEAN NOT NULL DEFAULT FALSE,    -- someone with fever/cough/short breath
    chronic VARCHAR NOT NULL DEFAULT '',            -- comma-separated condition codes
    vaccine_doses SMALLINT NOT NULL DEFAULT 0,
    committed BOOLEAN NOT NULL,
    from_epidemic BOOLEAN NOT NULL DEFAULT FALSE,   -- computed at declaration time
    colour VARCHAR NOT NULL,                        -- 'green' | 'yellow' | 'red'
    risk_reasons VARCHAR NOT NULL DEFAULT '',
    token_id VARCHAR,
    expires_at TIMESTAMP,
    replaced_at TIMESTAMP,                          -- set when a newer declaration replaced it
    source VARCHAR NOT NULL DEFAULT 'web'
);

CREATE SEQUENCE hd_venue_seq START 1;

CREATE TABLE hd_venues (
    id BIGINT PRIMARY KEY DEFAULT nextval('hd_venue_seq'),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- 'shop' | 'office' | 'market' | 'restaurant' | ...
    province_code INTEGER NOT NULL,
    ward_code INTEGER NOT NULL,
    street VARCHAR NOT NULL,
    contact_phone VARCHAR NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'open',   -- 'open' | 'closed'
    token_id VARCHAR,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    closed_at TIMESTAMP
);

CREATE TABLE hd_checkins (
    venue_id BIGINT NOT NULL,
    checked_in_at TIMESTAMP NOT NULL,
    person_key BIGINT NOT NULL,
    person_id VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    ward_code INTEGER NOT NULL,
    colour VARCHAR NOT NULL,
    declaration_id VARCHAR,
    method VARCHAR NOT NULL,             -- 'link' | 'scan' | 'demo'
    recorded_by VARCHAR NOT NULL
);

CREATE SEQUENCE hd_area_seq START 1;

CREATE TABLE hd_epidemic_areas (
    id BIGINT PRIMARY KEY DEFAULT nextval('hd_area_seq'),
    province_code INTEGER NOT NULL,
    ward_code INTEGER,                   -- NULL: the whole province
    starts_on DATE NOT NULL,
    ends_on DATE,                        -- NULL: open-ended
    note VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    removed_at TIMESTAMP
);

-- Contact tracing view for other apps (read through apps.health_declaration.service).
CREATE VIEW hd_checkins_v AS
SELECT c.venue_id, v.name AS venue_name, c.checked_in_at, c.person_id, c.full_name, c.phone,
       c.ward_code, c.colour, c.method
FROM hd_checkins c LEFT JOIN hd_venues v ON v.id = c.venue_id;
