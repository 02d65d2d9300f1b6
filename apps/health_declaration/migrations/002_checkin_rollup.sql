-- Hourly check-in counts per venue for the analytics panel. Rows before hd_rollup_state.upto
-- are counted here; later check-ins are counted from hd_checkins directly.
CREATE TABLE hd_checkin_hourly (
    venue_id BIGINT NOT NULL,
    hour TIMESTAMP NOT NULL,             -- UTC, truncated to the hour
    n BIGINT NOT NULL
);

CREATE TABLE hd_rollup_state (
    name VARCHAR PRIMARY KEY,
    upto TIMESTAMP NOT NULL
);

INSERT INTO hd_rollup_state VALUES ('checkin_hourly', TIMESTAMP '2000-01-01 00:00:00');
