-- Daily snapshots of the indicators, for the dashboards' trend and
-- forecast (SQLite). Keep in step with
-- migrations/postgres/0008_indicator_snapshots.sql: same tables, columns,
-- constraints and indexes; only the types differ.
-- A snapshot is a record of what the indicators counted on a day, never a
-- counter the live figures are read from: a dashboard's current values are
-- always counted from the stored facts.

CREATE TABLE indicator_snapshots (
    -- The region's day the figures were taken on.
    day         TEXT    NOT NULL,
    scope       TEXT    NOT NULL,
    -- The municipality's or school's code; '' for the region.
    code        TEXT    NOT NULL DEFAULT '',
    indicator   TEXT    NOT NULL,
    numerator   INTEGER NOT NULL,
    denominator INTEGER NOT NULL,
    -- The school year the figures count (its first day).
    period_from TEXT    NOT NULL,
    taken_at    BIGINT  NOT NULL,
    -- One snapshot per scope, indicator and day: the first process to
    -- take the day's snapshot wins, however many servers run.
    CONSTRAINT indicator_snapshots_pkey PRIMARY KEY (scope, code, indicator, day),
    CONSTRAINT indicator_snapshots_scope_check CHECK ((scope = 'region' AND code = '')
        OR (scope IN ('municipality', 'school') AND code <> '')),
    CONSTRAINT indicator_snapshots_share_check CHECK (numerator >= 0 AND numerator <= denominator),
    CONSTRAINT indicator_snapshots_day_check CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);
-- "Is today's snapshot taken?" reads the region's rows by day.
CREATE INDEX indicator_snapshots_day_idx ON indicator_snapshots (day, scope);
