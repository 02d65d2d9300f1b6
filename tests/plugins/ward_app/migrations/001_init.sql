CREATE TABLE ward_notes (
    ward_code INTEGER NOT NULL,
    body VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL
);
