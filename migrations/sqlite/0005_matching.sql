-- Matching (SQLite): regional methodists assigned to teachers, mentor
-- schools assigned to schools, the latest proposal of each matching, and
-- the consultations a methodist logs with a mentee. Keep in step with
-- migrations/postgres/0005_matching.sql: same tables, columns,
-- constraints and indexes; only the types differ.
-- Assignments are never overwritten: ending one sets its end columns, a
-- new one is a new row, so the history stays. People are named by login
-- and schools by code, as the rows show them; `reasons` is a JSON array of
-- strings the store writes and reads.

CREATE TABLE methodist_assignments (
    id         INTEGER NOT NULL,
    teacher    TEXT    NOT NULL,
    methodist  TEXT    NOT NULL,
    started_at BIGINT  NOT NULL,
    -- NULL: the operator at the command line.
    started_by TEXT,
    reasons    TEXT    NOT NULL DEFAULT '[]',
    ended_at   BIGINT,
    ended_by   TEXT,
    end_reason TEXT,
    CONSTRAINT methodist_assignments_pkey PRIMARY KEY (id),
    CONSTRAINT methodist_assignments_teacher_fkey FOREIGN KEY (teacher)
        REFERENCES accounts (login),
    CONSTRAINT methodist_assignments_methodist_fkey FOREIGN KEY (methodist)
        REFERENCES accounts (login),
    CONSTRAINT methodist_assignments_self_check CHECK (teacher <> methodist),
    CONSTRAINT methodist_assignments_ended_check CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CONSTRAINT methodist_assignments_ended_by_check CHECK (ended_at IS NOT NULL OR ended_by IS NULL)
);
-- One active assignment per teacher, however many calls race.
CREATE UNIQUE INDEX methodist_assignments_active_key ON methodist_assignments (teacher)
    WHERE ended_at IS NULL;
-- A methodist's load and a mentor's mentees read the active rows only.
CREATE INDEX methodist_assignments_methodist_idx ON methodist_assignments (methodist)
    WHERE ended_at IS NULL;
CREATE INDEX methodist_assignments_teacher_idx ON methodist_assignments (teacher, started_at);

CREATE TABLE mentor_school_assignments (
    id            INTEGER NOT NULL,
    school        TEXT    NOT NULL,
    mentor_school TEXT    NOT NULL,
    started_at    BIGINT  NOT NULL,
    -- NULL: the operator at the command line.
    started_by    TEXT,
    reasons       TEXT    NOT NULL DEFAULT '[]',
    ended_at      BIGINT,
    ended_by      TEXT,
    end_reason    TEXT,
    CONSTRAINT mentor_school_assignments_pkey PRIMARY KEY (id),
    CONSTRAINT mentor_school_assignments_school_fkey FOREIGN KEY (school)
        REFERENCES schools (code),
    CONSTRAINT mentor_school_assignments_mentor_school_fkey FOREIGN KEY (mentor_school)
        REFERENCES schools (code),
    CONSTRAINT mentor_school_assignments_self_check CHECK (school <> mentor_school),
    CONSTRAINT mentor_school_assignments_ended_check CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CONSTRAINT mentor_school_assignments_ended_by_check CHECK (ended_at IS NOT NULL OR ended_by IS NULL)
);
-- One active mentor school per school, however many calls race.
CREATE UNIQUE INDEX mentor_school_assignments_active_key ON mentor_school_assignments (school)
    WHERE ended_at IS NULL;
CREATE INDEX mentor_school_assignments_mentor_idx ON mentor_school_assignments (mentor_school)
    WHERE ended_at IS NULL;
CREATE INDEX mentor_school_assignments_school_idx ON mentor_school_assignments (school, started_at);

-- The latest proposal of each matching (the server's JSON), replaced by
-- each run.
CREATE TABLE match_runs (
    kind   TEXT   NOT NULL,
    run_at BIGINT NOT NULL,
    run_by TEXT,
    result TEXT   NOT NULL,
    CONSTRAINT match_runs_pkey PRIMARY KEY (kind),
    CONSTRAINT match_runs_kind_check CHECK (kind IN ('methodists', 'schools'))
);

CREATE TABLE consultations (
    id         INTEGER NOT NULL,
    mentor     TEXT    NOT NULL,
    teacher    TEXT    NOT NULL,
    held_on    TEXT    NOT NULL,
    form       TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    CONSTRAINT consultations_pkey PRIMARY KEY (id),
    CONSTRAINT consultations_mentor_fkey FOREIGN KEY (mentor) REFERENCES accounts (login),
    CONSTRAINT consultations_teacher_fkey FOREIGN KEY (teacher) REFERENCES accounts (login),
    CONSTRAINT consultations_held_on_check CHECK (held_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
CREATE INDEX consultations_teacher_idx ON consultations (teacher, held_on);
CREATE INDEX consultations_mentor_idx ON consultations (mentor);
