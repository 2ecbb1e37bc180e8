-- Individual educational routes (ИОМ): the course catalogue, routes and
-- their steps (PostgreSQL). Keep in step with migrations/sqlite/0003_routes.sql:
-- same tables, columns, constraints and indexes; only the types differ.
-- Lists (competences as 'BANK:CODE', subjects) are '|'-joined text, as in
-- the import files; a route's uncovered deficits are JSON text the server
-- writes and reads.

CREATE TABLE catalogue_entries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    code         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    hours        INTEGER NOT NULL,
    competences  TEXT    NOT NULL,
    provider     TEXT,
    format       TEXT    NOT NULL,
    subjects     TEXT    NOT NULL DEFAULT '',
    municipality_id BIGINT,
    starts_on    DATE,
    ends_on      DATE,
    -- NULL: seats not limited.
    capacity     INTEGER,
    url          TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at   BIGINT  NOT NULL,
    CONSTRAINT catalogue_entries_pkey PRIMARY KEY (id),
    CONSTRAINT catalogue_entries_code_key UNIQUE (code),
    CONSTRAINT catalogue_entries_municipality_fkey FOREIGN KEY (municipality_id)
        REFERENCES municipalities (id),
    CONSTRAINT catalogue_entries_kind_check CHECK (kind IN ('course', 'retraining',
        'internship', 'seminar', 'master_class', 'webinar', 'mentoring', 'self_study')),
    CONSTRAINT catalogue_entries_format_check CHECK (format IN ('in_person', 'remote', 'blended')),
    CONSTRAINT catalogue_entries_hours_check CHECK (hours > 0),
    CONSTRAINT catalogue_entries_capacity_check CHECK (capacity IS NULL OR capacity >= 0),
    CONSTRAINT catalogue_entries_competences_check CHECK (competences <> ''),
    CONSTRAINT catalogue_entries_dates_check CHECK (starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE routes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    account_id   BIGINT  NOT NULL,
    period_from  DATE    NOT NULL,
    period_to    DATE    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'draft',
    -- A draft a methodist changed by hand: regeneration keeps it.
    edited       BOOLEAN NOT NULL DEFAULT FALSE,
    -- JSON: what generation could not cover and why.
    uncovered    TEXT    NOT NULL DEFAULT '[]',
    created_at   BIGINT  NOT NULL,
    -- NULL: the operator at the command line.
    created_by   TEXT,
    updated_at   BIGINT  NOT NULL,
    approved_at  BIGINT,
    approved_by  TEXT,
    completed_at BIGINT,
    CONSTRAINT routes_pkey PRIMARY KEY (id),
    CONSTRAINT routes_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT routes_status_check CHECK (status IN ('draft', 'approved', 'completed')),
    CONSTRAINT routes_period_check CHECK (period_to >= period_from),
    CONSTRAINT routes_approved_check CHECK ((status = 'draft') = (approved_at IS NULL))
);
CREATE INDEX routes_account_idx ON routes (account_id, period_from);
-- One draft per teacher and period: generation replaces it or keeps it.
CREATE UNIQUE INDEX routes_one_draft_key ON routes (account_id, period_from) WHERE status = 'draft';

CREATE TABLE route_steps (
    route_id        BIGINT  NOT NULL,
    position        INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    -- The catalogue entry's code; NULL for a free-form activity or mentoring.
    course          TEXT,
    title           TEXT    NOT NULL,
    competences     TEXT    NOT NULL DEFAULT '',
    hours           INTEGER NOT NULL DEFAULT 0,
    mandatory       BOOLEAN NOT NULL,
    starts_on       DATE,
    ends_on         DATE,
    mentor          TEXT,
    mentor_name     TEXT,
    expected_result TEXT    NOT NULL,
    reporting_form  TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'planned',
    CONSTRAINT route_steps_pkey PRIMARY KEY (route_id, position),
    CONSTRAINT route_steps_route_fkey FOREIGN KEY (route_id) REFERENCES routes (id) ON DELETE CASCADE,
    CONSTRAINT route_steps_kind_check CHECK (kind IN ('course', 'retraining',
        'internship', 'seminar', 'master_class', 'webinar', 'mentoring', 'self_study')),
    CONSTRAINT route_steps_hours_check CHECK (hours >= 0),
    CONSTRAINT route_steps_position_check CHECK (position >= 0),
    CONSTRAINT route_steps_status_check CHECK (status IN ('planned', 'submitted', 'confirmed', 'returned')),
    CONSTRAINT route_steps_dates_check CHECK (starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX route_steps_course_idx ON route_steps (course) WHERE course IS NOT NULL;
