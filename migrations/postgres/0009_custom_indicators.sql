-- Custom indicators (дополнительные показатели) (PostgreSQL): what the
-- roadmaps target but the product does not record («не менее 75% ОО …
-- подключены к проекту «500+»»), and the values entered for them. Keep in
-- step with migrations/sqlite/0009_custom_indicators.sql: same tables,
-- columns, constraints and indexes; only the types differ.
-- Values are never updated: a new entry is a new row, so the history
-- stays; the current value of a scope is its latest (as_of, id).

CREATE TABLE custom_indicators (
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    -- A slug (school_500), never changed.
    code        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    -- The percent as written by domain::indicators::Percent (`75`, `66.7`): exact.
    threshold   TEXT,
    due_on      DATE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    -- NULL: the operator at the command line.
    created_by  TEXT,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT custom_indicators_pkey PRIMARY KEY (id),
    CONSTRAINT custom_indicators_code_key UNIQUE (code),
    CONSTRAINT custom_indicators_created_by_fkey FOREIGN KEY (created_by)
        REFERENCES accounts (login),
    CONSTRAINT custom_indicators_code_check CHECK (code ~ '^[a-z][a-z0-9_-]*$'),
    CONSTRAINT custom_indicators_title_check CHECK (trim(title) <> '')
);

CREATE TABLE custom_indicator_values (
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    indicator_id BIGINT  NOT NULL,
    level        TEXT    NOT NULL,
    -- NULL for the region's own figure.
    municipality TEXT,
    -- The day the figure describes.
    as_of        DATE    NOT NULL,
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
    CONSTRAINT custom_indicator_values_evidence_check CHECK (trim(evidence) <> '')
);
-- A scope's history and its latest entry.
CREATE INDEX custom_indicator_values_scope_idx
    ON custom_indicator_values (indicator_id, level, municipality, as_of, id);
