-- Emergency apps without Python: every version of every definition workbook ever installed
-- (an app's table, app_<id>, is generated from the checked workbook by core.definitions).
-- One version per app is active at most; deactivating keeps every version and every row.
CREATE TABLE definition_apps (
    app_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,            -- 1, 2, 3... in the order installed
    form_version VARCHAR NOT NULL,       -- the settings sheet's version, as written
    checksum VARCHAR NOT NULL,           -- sha256 of the workbook file
    workbook BLOB NOT NULL,              -- the .xlsx as uploaded
    filename VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    lines INTEGER NOT NULL,              -- rows of the sheets, headers left out
    active BOOLEAN NOT NULL DEFAULT FALSE,
    installed_at TIMESTAMP NOT NULL,
    installed_by VARCHAR NOT NULL,
    source VARCHAR NOT NULL,             -- upload | cli | folder | demo
    PRIMARY KEY (app_id, version)
);

-- Single use of a once-only code ("once" checkpoint condition), claimed atomically by the
-- first VALID scan at a server checkpoint.
CREATE TABLE definition_uses (
    token_id VARCHAR PRIMARY KEY,
    app_id VARCHAR NOT NULL,
    used_at TIMESTAMP NOT NULL,
    checkpoint_id VARCHAR NOT NULL
);
