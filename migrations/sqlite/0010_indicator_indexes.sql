-- Indexes for counting the indicators in the database (SQLite). Keep in
-- step with migrations/postgres/0010_indicator_indexes.sql: same indexes;
-- SQLite has no INCLUDE, so the read columns close the key.

-- The indicators read every diagnostic per (teacher, bank) in the order the
-- rules compare them (day, then record): in this index's order, with the
-- level and the percent in it, the window needs no sort and no table
-- access. It begins with the columns of diagnostics_account_idx, which it
-- replaces.
CREATE INDEX diagnostics_history_idx ON diagnostics (account_id, bank_id, taken_on, id,
    overall_level, overall_percent);
DROP INDEX diagnostics_account_idx;

-- training_coverage reads the course and retraining steps confirmed within
-- a period.
CREATE INDEX route_steps_confirmed_courses_idx ON route_steps (reviewed_at)
    WHERE status = 'confirmed' AND kind IN ('course', 'retraining');
