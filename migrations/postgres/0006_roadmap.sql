-- The region's roadmap (дорожная карта) (PostgreSQL): each imported period and
-- its items with their done state. Keep in step with
-- migrations/sqlite/0006_roadmap.sql: same tables, columns, constraints
-- and indexes; only the types differ.
-- A period is imported again and again as the region revises its
-- roadmap: items are matched on their number within the period and
-- updated in place, so an item keeps its id and its done state; items a
-- later file no longer has are kept.

CREATE TABLE roadmaps (
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    period_from DATE    NOT NULL,
    period_to   DATE    NOT NULL,
    -- The latest import of the period.
    imported_at BIGINT  NOT NULL,
    -- NULL: the operator at the command line.
    imported_by TEXT,
    -- Grows with every import (of any period): where imported periods
    -- overlap, the one imported latest is the roadmap of a day.
    import_seq  BIGINT  NOT NULL,
    CONSTRAINT roadmaps_pkey PRIMARY KEY (id),
    CONSTRAINT roadmaps_period_key UNIQUE (period_from, period_to),
    CONSTRAINT roadmaps_period_check CHECK (period_to >= period_from)
);

CREATE TABLE roadmap_items (
    id             BIGINT GENERATED ALWAYS AS IDENTITY,
    roadmap_id     BIGINT  NOT NULL,
    -- The place in the latest imported file (0 first); items that file no
    -- longer has come after its items.
    position       INTEGER NOT NULL,
    number         TEXT    NOT NULL,
    direction      TEXT,
    title          TEXT    NOT NULL,
    audience       TEXT,
    description    TEXT,
    due_text       TEXT    NOT NULL,
    -- JSON: [{"from": DATE|null, "to": DATE}], the store writes and reads it.
    control_points TEXT    NOT NULL DEFAULT '[]',
    recurrence     TEXT,
    -- The due text could not be read: «без срока».
    unreadable     BOOLEAN NOT NULL DEFAULT FALSE,
    responsible    TEXT,
    level          TEXT,
    form           TEXT,
    done_at        BIGINT,
    done_by        TEXT,
    evidence       TEXT,
    updated_at     BIGINT  NOT NULL,
    CONSTRAINT roadmap_items_pkey PRIMARY KEY (id),
    CONSTRAINT roadmap_items_roadmap_fkey FOREIGN KEY (roadmap_id) REFERENCES roadmaps (id),
    -- Imports match on the number: one item per number and period.
    CONSTRAINT roadmap_items_number_key UNIQUE (roadmap_id, number),
    CONSTRAINT roadmap_items_position_check CHECK (position >= 0),
    CONSTRAINT roadmap_items_recurrence_check CHECK (recurrence IS NULL OR recurrence IN ('monthly', 'quarterly')),
    CONSTRAINT roadmap_items_done_check CHECK ((done_at IS NULL) = (evidence IS NULL)),
    CONSTRAINT roadmap_items_done_by_check CHECK (done_at IS NOT NULL OR done_by IS NULL)
);
CREATE INDEX roadmap_items_position_idx ON roadmap_items (roadmap_id, position);
