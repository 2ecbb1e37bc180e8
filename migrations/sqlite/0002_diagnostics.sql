-- Diagnostics: assessment banks, campaigns, attempts and their responses,
-- completed diagnostics (from attempts and from imports) (SQLite).
-- Keep in step with migrations/postgres/0002_diagnostics.sql: same tables,
-- columns, constraints and indexes; only the types differ.
-- The store knows nothing of the bank format: bank sources are kept as
-- text, forms, responses and profiles as JSON text the server writes and
-- reads. Percents are exact: INTEGER hundredths of a percent (62.50 % is
-- 6250), shown with two decimals.

CREATE TABLE bank_versions (
    id           INTEGER NOT NULL,
    bank_id      TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    -- Of the file's bytes, as the server computes it.
    content_hash TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    loaded_at    BIGINT  NOT NULL,
    -- Who loaded it (NULL: the operator at the command line).
    loaded_by    TEXT,
    CONSTRAINT bank_versions_pkey PRIMARY KEY (id),
    CONSTRAINT bank_versions_bank_version_key UNIQUE (bank_id, version)
);
CREATE INDEX bank_versions_loaded_idx ON bank_versions (bank_id, loaded_at, id);

CREATE TABLE campaigns (
    id              INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    bank_version_id INTEGER NOT NULL,
    opens_on        TEXT    NOT NULL,
    -- Inclusive.
    closes_on       TEXT    NOT NULL,
    -- Opaque to the store: the server parses it (domain::Audience).
    audience        TEXT    NOT NULL,
    created_by      TEXT,
    created_at      BIGINT  NOT NULL,
    CONSTRAINT campaigns_pkey PRIMARY KEY (id),
    CONSTRAINT campaigns_bank_version_fkey FOREIGN KEY (bank_version_id)
        REFERENCES bank_versions (id),
    CONSTRAINT campaigns_opens_on_check CHECK (opens_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT campaigns_closes_on_check CHECK (closes_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT campaigns_window_check CHECK (closes_on >= opens_on)
);
CREATE INDEX campaigns_bank_version_id_idx ON campaigns (bank_version_id);

CREATE TABLE attempts (
    id              INTEGER NOT NULL,
    campaign_id     INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,
    bank_version_id INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'in_progress',
    started_at      BIGINT  NOT NULL,
    deadline        BIGINT  NOT NULL,
    finished_at     BIGINT,
    -- The items drawn for this attempt, in their shuffled order.
    form_json       TEXT    NOT NULL,
    profile_json    TEXT,
    CONSTRAINT attempts_pkey PRIMARY KEY (id),
    -- One attempt per account and campaign, however many start at once.
    CONSTRAINT attempts_campaign_account_key UNIQUE (campaign_id, account_id),
    CONSTRAINT attempts_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT attempts_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT attempts_bank_version_fkey FOREIGN KEY (bank_version_id)
        REFERENCES bank_versions (id),
    CONSTRAINT attempts_status_check CHECK (status IN ('in_progress', 'submitted', 'expired')),
    CONSTRAINT attempts_finished_check CHECK ((status = 'in_progress') = (finished_at IS NULL))
);
CREATE INDEX attempts_account_id_idx ON attempts (account_id, started_at);
-- The overdue sweep reads only the attempts still running.
CREATE INDEX attempts_overdue_idx ON attempts (deadline) WHERE status = 'in_progress';

CREATE TABLE attempt_responses (
    attempt_id INTEGER NOT NULL,
    item_id    TEXT    NOT NULL,
    response   TEXT    NOT NULL,
    saved_at   BIGINT  NOT NULL,
    CONSTRAINT attempt_responses_pkey PRIMARY KEY (attempt_id, item_id),
    CONSTRAINT attempt_responses_attempt_fkey FOREIGN KEY (attempt_id)
        REFERENCES attempts (id) ON DELETE CASCADE
);

CREATE TABLE diagnostics (
    id              INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,
    bank_id         TEXT    NOT NULL,
    bank_version_id INTEGER,
    taken_on        TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    attempt_id      INTEGER,
    -- Hundredths of a percent, rounded half away from zero by the server.
    overall_percent INTEGER NOT NULL,
    overall_level   TEXT    NOT NULL,
    profile_json    TEXT    NOT NULL,
    recorded_at     BIGINT  NOT NULL,
    CONSTRAINT diagnostics_pkey PRIMARY KEY (id),
    CONSTRAINT diagnostics_attempt_key UNIQUE (attempt_id),
    CONSTRAINT diagnostics_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT diagnostics_bank_version_fkey FOREIGN KEY (bank_version_id)
        REFERENCES bank_versions (id),
    CONSTRAINT diagnostics_attempt_fkey FOREIGN KEY (attempt_id) REFERENCES attempts (id),
    CONSTRAINT diagnostics_taken_on_check CHECK (taken_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CONSTRAINT diagnostics_source_check CHECK (
        (source = 'attempt' AND attempt_id IS NOT NULL)
        OR (source = 'import' AND attempt_id IS NULL)
    ),
    CONSTRAINT diagnostics_overall_percent_check CHECK (overall_percent BETWEEN 0 AND 10000),
    CONSTRAINT diagnostics_overall_level_check CHECK (overall_level IN ('none', 'reduced', 'high', 'critical'))
);
-- An imported diagnostic is matched on (account, bank, date).
CREATE UNIQUE INDEX diagnostics_import_key ON diagnostics (account_id, bank_id, taken_on)
    WHERE source = 'import';
CREATE INDEX diagnostics_account_idx ON diagnostics (account_id, bank_id, taken_on);
CREATE INDEX diagnostics_taken_on_idx ON diagnostics (taken_on);

CREATE TABLE diagnostic_competences (
    diagnostic_id INTEGER NOT NULL,
    -- 'BANK:CODE'.
    competence    TEXT    NOT NULL,
    -- The order the server gave (the bank file's order).
    position      INTEGER NOT NULL,
    -- Hundredths of a percent; NULL when an import gave only the level.
    percent       INTEGER,
    level         TEXT    NOT NULL,
    CONSTRAINT diagnostic_competences_pkey PRIMARY KEY (diagnostic_id, competence),
    CONSTRAINT diagnostic_competences_diagnostic_fkey FOREIGN KEY (diagnostic_id)
        REFERENCES diagnostics (id) ON DELETE CASCADE,
    CONSTRAINT diagnostic_competences_percent_check CHECK (percent IS NULL OR percent BETWEEN 0 AND 10000),
    CONSTRAINT diagnostic_competences_level_check CHECK (level IN ('none', 'reduced', 'high', 'critical'))
);
CREATE INDEX diagnostic_competences_competence_idx ON diagnostic_competences (competence, level);
