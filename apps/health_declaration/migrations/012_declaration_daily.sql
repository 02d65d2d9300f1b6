-- Declarations counted per local (Asia/Ho_Chi_Minh) day and ward, for the officer's summary,
-- per-day and per-ward panels: whole days before the watermark ``declaration_daily`` in
-- hd_rollup_state are counted here; later declarations are counted from hd_declarations.
-- Anonymous counts: they stay when retention deletes the declarations themselves.
CREATE TABLE hd_declaration_daily (
    day DATE NOT NULL,
    province_code INTEGER NOT NULL,
    ward_code INTEGER NOT NULL,
    declarations BIGINT NOT NULL,
    fever_cough BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    epidemic BIGINT NOT NULL,
    red BIGINT NOT NULL,
    yellow BIGINT NOT NULL
);

INSERT INTO hd_rollup_state VALUES ('declaration_daily', TIMESTAMP '2000-01-01 00:00:00');
