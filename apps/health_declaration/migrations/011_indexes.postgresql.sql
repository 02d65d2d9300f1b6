-- PostgreSQL only (core.schema): the B-tree and BRIN indexes its planner needs on the large
-- tables. DuckDB finds the same rows through zone maps and hash joins, and these indexes would
-- only slow its bulk loads. Declarations arrive in time order and the demo loads check-ins in
-- time order within each venue, so BRIN on the time columns stays small (a few hundred kB).

-- a pass by its id and second, a person's newest declaration, the red/yellow list, day ranges
CREATE INDEX hd_declarations_declared_at ON hd_declarations (declared_at);
CREATE INDEX hd_declarations_person ON hd_declarations (person_key, declared_at);

-- a person's check-ins (drill-down, the F0's own check-ins in the co-location scan)
CREATE INDEX hd_checkins_person ON hd_checkins (person_key, checked_in_at);
-- who else was at a venue within the contact window (co_checkins, the co-location scan)
CREATE INDEX hd_checkins_venue ON hd_checkins (venue_id, checked_in_at);
-- check-ins of a time range (the hourly panel after its roll-up, outreach)
CREATE INDEX hd_checkins_time ON hd_checkins USING brin (checked_in_at);

-- the hours of the busiest venues (the hourly panel's second step)
CREATE INDEX hd_checkin_daily_venue ON hd_checkin_daily (venue_id, day);
