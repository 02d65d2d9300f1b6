-- A daily report may come without SpO2 (issue 18 item 9): a person with no oximeter says so
-- ("no oximeter") and the report is stored with SpO2 empty; triage never reads that as normal.
ALTER TABLE hi_reports ALTER COLUMN spo2 DROP NOT NULL;
