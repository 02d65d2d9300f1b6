-- Release and transfer guarded (issue 17 item 5): an alert is closed by an officer with a note
-- (acknowledged, or closed on release/transfer), or left behind by an explicit override with its
-- reason; how and why are kept on the alert itself, beside the case log and the audit row.
ALTER TABLE hi_alerts ADD COLUMN close_note VARCHAR;
ALTER TABLE hi_alerts ADD COLUMN closed_how VARCHAR;   -- 'ack' | 'release' | 'transfer' | 'override_release' | 'override_transfer' | 'report'
