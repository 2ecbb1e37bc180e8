-- Executing routes (ИОМ): the review state of steps and the evidence
-- teachers submit (SQLite). Keep in step with
-- migrations/postgres/0004_route_execution.sql: same tables, columns,
-- constraints and indexes; only the types differ.

-- The latest submission and the latest review of a step (a resubmission
-- keeps the review until the next one replaces it).
ALTER TABLE route_steps ADD COLUMN submitted_at BIGINT;
ALTER TABLE route_steps ADD COLUMN reviewed_at BIGINT;
ALTER TABLE route_steps ADD COLUMN reviewed_by TEXT;
-- The deputy head's comment; required when a step is returned.
ALTER TABLE route_steps ADD COLUMN comment TEXT;

-- Every piece of evidence ever submitted, kept: a resubmission after a
-- return adds a row. Only steps of approved routes get evidence, and only
-- drafts' steps are ever deleted, so the cascade removes none in practice.
CREATE TABLE route_evidence (
    id           INTEGER NOT NULL,
    route_id     INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    text         TEXT,
    url          TEXT,
    file_name    TEXT,
    content_type TEXT,
    bytes        BLOB,
    submitted_at BIGINT  NOT NULL,
    submitted_by TEXT    NOT NULL,
    CONSTRAINT route_evidence_pkey PRIMARY KEY (id),
    CONSTRAINT route_evidence_step_fkey FOREIGN KEY (route_id, position)
        REFERENCES route_steps (route_id, position) ON DELETE CASCADE,
    CONSTRAINT route_evidence_kind_check CHECK (kind IN ('text', 'link', 'file')),
    CONSTRAINT route_evidence_text_check CHECK (kind <> 'text' OR text IS NOT NULL),
    CONSTRAINT route_evidence_link_check CHECK (kind <> 'link' OR url IS NOT NULL),
    CONSTRAINT route_evidence_file_check CHECK (kind <> 'file'
        OR (file_name IS NOT NULL AND bytes IS NOT NULL))
);
CREATE INDEX route_evidence_step_idx ON route_evidence (route_id, position, id);
