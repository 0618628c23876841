-- A statement names a promoter and a run that exist.

-- engine-specific
-- SQLite keeps the statements' foreign keys: cheap there, and it cannot drop one without
-- rebuilding the table. PostgreSQL checks the same references once per INSERT (its migration).
SELECT 1;
