-- The declaration asks where the person works or studies (contact tracing reaches colleagues).
ALTER TABLE hd_declarations ADD COLUMN workplace VARCHAR NOT NULL DEFAULT '';
