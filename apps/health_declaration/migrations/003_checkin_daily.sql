-- Replace the hourly roll-up by one row per venue and local day with 24 hour-of-day counts
-- (12x fewer rows; the venue/hour panel sums columns). Rows before hd_rollup_state.upto
-- (a local midnight, in UTC) are counted here; later check-ins come from hd_checkins.
DROP TABLE hd_checkin_hourly;

CREATE TABLE hd_checkin_daily (
    venue_id BIGINT NOT NULL,
    day DATE NOT NULL,                   -- local (Asia/Ho_Chi_Minh) date
    h0 BIGINT NOT NULL, h1 BIGINT NOT NULL, h2 BIGINT NOT NULL, h3 BIGINT NOT NULL, h4 BIGINT NOT NULL, h5 BIGINT NOT NULL, h6 BIGINT NOT NULL, h7 BIGINT NOT NULL, h8 BIGINT NOT NULL, h9 BIGINT NOT NULL, h10 BIGINT NOT NULL, h11 BIGINT NOT NULL, h12 BIGINT NOT NULL, h13 BIGINT NOT NULL, h14 BIGINT NOT NULL, h15 BIGINT NOT NULL, h16 BIGINT NOT NULL, h17 BIGINT NOT NULL, h18 BIGINT NOT NULL, h19 BIGINT NOT NULL, h20 BIGINT NOT NULL, h21 BIGINT NOT NULL, h22 BIGINT NOT NULL, h23 BIGINT NOT NULL
);

UPDATE hd_rollup_state SET upto = TIMESTAMP '2000-01-01 00:00:00' WHERE name = 'checkin_hourly';
