-- Custom indicators (дополнительные показатели) (SQLite): what the
-- roadmaps target but the product does not record («не менее 75% ОО …
-- подключены к проекту «500+»»), and the values entered for them. Keep in
-- step with migrations/postgres/0009_custom_indicators.sql: same tables,
-- columns, constraints and indexes; only the types differ.
-- Values are never updated: a new entry is a new row, so the history
-- stays; the current value of a scope is its latest (as_of, id).

CREATE TABLE custom_indicators (
    id          INTEGER NOT NULL,
    -- A slug (school_500), never changed.
    code        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    -- The percent as written by domain::indicators::Percent (`75`, `66.7`): exact.
    threshold   TEXT,
    due_on      TEXT,
    active      BOOLEAN NOT NULL DEFAULT 1,
    -- NULL: the operator at the command line.
    created_by  TEXT,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT custom_indicators_pkey PRIMARY KEY (id),
    CONSTRAINT custom_indicators_code_key UNIQUE (code),
    CONSTRAINT custom_indicators_created_by_fkey FOREIGN KEY (created_by)
        REFERENCES accounts (login),
    CONSTRAINT custom_indicators_code_check CHECK (code GLOB '[a-z]*'
        AND code NOT GLOB '*[^a-z0-9_-]*'),
    CONSTRAINT custom_indicators_title_check CHECK (trim(title) <> ''),
    CONSTRAINT custom_indicators_due_on_check CHECK (due_on IS NULL OR due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);

CREATE TABLE custom_indicator_values (
    id           INTEGER NOT NULL,
    indicator_id INTEGER NOT NULL,
    level        TEXT    NOT NULL,
    -- NULL for the region's own figure.
    municipality TEXT,
    -- The day the figure describes.
    as_of        TEXT    NOT NULL,
    numerator    BIGINT  NOT NULL,
    denominator  BIGINT  NOT NULL,
    -- A document's name and number, or a link: required.
    evidence     TEXT    NOT NULL,
    -- NULL: the operator at the command line.
    entered_by   TEXT,
    entered_at   BIGINT  NOT NULL,
    CONSTRAINT custom_indicator_values_pkey PRIMARY KEY (id),
    CONSTRAINT custom_indicator_values_indicator_fkey FOREIGN KEY (indicator_id)
        REFERENCES custom_indicators (id),
    CONSTRAINT custom_indicator_values_municipality_fkey FOREIGN KEY (municipality)
        REFERENCES municipalities (code),
    CONSTRAINT custom_indicator_values_entered_by_fkey FOREIGN KEY (entered_by)
        REFERENCES accounts (login),
    CONSTRAINT custom_indicator_values_level_check CHECK ((level = 'region' AND municipality IS NULL)
        OR (level = 'municipality' AND municipality IS NOT NULL)),
    CONSTRAINT custom_indicator_values_share_check CHECK (numerator >= 0 AND numerator <= denominator),
    CONSTRAINT custom_indicator_values_evidence_check CHECK (trim(evidence) <> ''),
    CONSTRAINT custom_indicator_values_as_of_check CHECK (as_of GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
-- A scope's history and its latest entry.
CREATE INDEX custom_indicator_values_scope_idx
    ON custom_indicator_values (indicator_id, level, municipality, as_of, id);
