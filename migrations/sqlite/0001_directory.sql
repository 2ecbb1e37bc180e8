-- The region's directory, accounts and authentication state (SQLite).
-- Keep in step with migrations/postgres/0001_directory.sql: same tables,
-- columns, constraints and indexes; only the types differ.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are
-- TEXT 'YYYY-MM-DD'; booleans are 0/1.

CREATE TABLE municipalities (
    id   INTEGER NOT NULL,
    code TEXT    NOT NULL,
    name TEXT    NOT NULL,
    CONSTRAINT municipalities_pkey PRIMARY KEY (id),
    CONSTRAINT municipalities_code_key UNIQUE (code)
);

CREATE TABLE schools (
    id                  INTEGER NOT NULL,
    code                TEXT    NOT NULL,
    municipality_id     INTEGER NOT NULL,
    name                TEXT    NOT NULL,
    short_name          TEXT,
    low_results         BOOLEAN NOT NULL DEFAULT 0,
    risk_low_results    BOOLEAN NOT NULL DEFAULT 0,
    adverse_conditions  BOOLEAN NOT NULL DEFAULT 0,
    rural               BOOLEAN NOT NULL DEFAULT 0,
    critical_monitoring BOOLEAN NOT NULL DEFAULT 0,
    mentor_school       BOOLEAN NOT NULL DEFAULT 0,
    mentor_capacity     INTEGER,
    active              BOOLEAN NOT NULL DEFAULT 1,
    CONSTRAINT schools_pkey PRIMARY KEY (id),
    CONSTRAINT schools_code_key UNIQUE (code),
    CONSTRAINT schools_municipality_fkey FOREIGN KEY (municipality_id)
        REFERENCES municipalities (id),
    CONSTRAINT schools_mentor_capacity_check CHECK (mentor_capacity IS NULL OR mentor_capacity >= 0)
);
CREATE INDEX schools_municipality_id_idx ON schools (municipality_id);

CREATE TABLE accounts (
    id                   INTEGER NOT NULL,
    -- Logins arrive lower-cased (domain::Login), so a plain UNIQUE is
    -- case-insensitive in effect.
    login                TEXT    NOT NULL,
    full_name            TEXT    NOT NULL,
    password_hash        TEXT,
    school_id            INTEGER,
    municipality_id      INTEGER,
    -- Subjects joined with '|'.
    subjects             TEXT    NOT NULL DEFAULT '',
    position             TEXT,
    experience_years     REAL,
    hired_on             TEXT,
    students_low_results BOOLEAN NOT NULL DEFAULT 0,
    active               BOOLEAN NOT NULL DEFAULT 1,
    -- Sessions issued before this instant (ms) are void.
    valid_after          BIGINT  NOT NULL DEFAULT 0,
    created_at           BIGINT  NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_login_key UNIQUE (login),
    CONSTRAINT accounts_school_fkey FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT accounts_municipality_fkey FOREIGN KEY (municipality_id)
        REFERENCES municipalities (id),
    CONSTRAINT accounts_hired_on_check CHECK (hired_on IS NULL OR hired_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
-- `active` rides along so that counting a school's or a municipality's
-- active staff reads the index alone.
CREATE INDEX accounts_school_id_idx ON accounts (school_id, active);
CREATE INDEX accounts_municipality_id_idx ON accounts (municipality_id, active);

CREATE TABLE account_roles (
    account_id INTEGER NOT NULL,
    role       TEXT    NOT NULL,
    CONSTRAINT account_roles_pkey PRIMARY KEY (account_id, role),
    CONSTRAINT account_roles_account_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE,
    CONSTRAINT account_roles_role_check CHECK (role IN (
        'teacher', 'deputy_head', 'principal', 'municipal_coordinator',
        'mentor', 'cnppm_methodist', 'admin'
    ))
);
CREATE INDEX account_roles_role_idx ON account_roles (role, account_id);

CREATE TABLE methodists (
    account_id      INTEGER NOT NULL,
    -- Subjects joined with '|'.
    subjects        TEXT    NOT NULL DEFAULT '',
    municipality_id INTEGER,
    capacity        INTEGER NOT NULL,
    remote          BOOLEAN NOT NULL DEFAULT 0,
    CONSTRAINT methodists_pkey PRIMARY KEY (account_id),
    CONSTRAINT methodists_account_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE,
    CONSTRAINT methodists_municipality_fkey FOREIGN KEY (municipality_id)
        REFERENCES municipalities (id),
    CONSTRAINT methodists_capacity_check CHECK (capacity >= 0)
);
CREATE INDEX methodists_municipality_id_idx ON methodists (municipality_id);

CREATE TABLE invitations (
    id         INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    -- SHA-256 of the token; the token itself is never stored.
    token_hash TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    voided_at  BIGINT,
    CONSTRAINT invitations_pkey PRIMARY KEY (id),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
    CONSTRAINT invitations_account_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX invitations_account_id_idx ON invitations (account_id);

CREATE TABLE login_failures (
    key            TEXT    NOT NULL,
    failures       INTEGER NOT NULL,
    window_started BIGINT  NOT NULL,
    CONSTRAINT login_failures_pkey PRIMARY KEY (key),
    CONSTRAINT login_failures_failures_check CHECK (failures >= 0)
);

CREATE TABLE settings (
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT settings_pkey PRIMARY KEY (key)
);

CREATE TABLE audit_log (
    id     INTEGER NOT NULL,
    at     BIGINT  NOT NULL,
    actor  TEXT,
    action TEXT    NOT NULL,
    object TEXT    NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
