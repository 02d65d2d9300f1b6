-- Roster growth is capped per day for the quota (issue 14 item 15): when each employee first
-- joined the roster. Rows from before this migration count from their last update.
ALTER TABLE tp_employees ADD COLUMN added_at TIMESTAMP;
UPDATE tp_employees SET added_at = updated_at;

-- Self-registration without enumeration (issue 14 item 6): a registration naming a tax code
-- another business holds is received like any other and waits for the approver, who sees
-- the holder here. Its own tax_code column holds '<tax code>#?<id>' until verified.
ALTER TABLE tp_businesses ADD COLUMN tax_code_clash VARCHAR;
