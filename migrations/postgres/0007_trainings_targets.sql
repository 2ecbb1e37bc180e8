-- Further training completed outside routes and the region's targets
-- (PostgreSQL). Keep in step with migrations/sqlite/0007_trainings_targets.sql:
-- same tables, columns, constraints and indexes; only the types differ.
-- Both are imported again and again and matched on their keys; rows a
-- later file no longer has are kept.

CREATE TABLE trainings (
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    account_id   BIGINT  NOT NULL,
    title        TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    hours        INTEGER NOT NULL,
    completed_on DATE    NOT NULL,
    document     TEXT,
    updated_at   BIGINT  NOT NULL,
    CONSTRAINT trainings_pkey PRIMARY KEY (id),
    CONSTRAINT trainings_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    -- Imports match on (login, title, completed_on).
    CONSTRAINT trainings_key UNIQUE (account_id, title, completed_on),
    CONSTRAINT trainings_kind_check CHECK (kind IN ('course', 'retraining', 'internship')),
    CONSTRAINT trainings_hours_check CHECK (hours > 0)
);

CREATE TABLE targets (
    id         BIGINT GENERATED ALWAYS AS IDENTITY,
    indicator  TEXT    NOT NULL,
    -- The percent as written by domain::indicators::Percent (`75`, `66.7`): exact.
    threshold  TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    -- The municipality's or school's code; '' for the region, so that the
    -- key needs no NULL.
    code       TEXT    NOT NULL DEFAULT '',
    due_on     DATE,
    updated_at BIGINT  NOT NULL,
    CONSTRAINT targets_pkey PRIMARY KEY (id),
    CONSTRAINT targets_key UNIQUE (indicator, scope, code),
    CONSTRAINT targets_scope_check CHECK ((scope = 'region' AND code = '')
        OR (scope IN ('municipality', 'school') AND code <> ''))
);
