-- A draft sums every promoter's lines at once: the lines that earn nothing (explained in their
-- period, paid by nobody) are found by the period's days, not among all of history's.
CREATE INDEX reward_ledger_zero_day ON reward_ledger(vests_on) WHERE amount_fen = 0 AND settled_fen = 0;

-- engine-specific
-- SQLite keeps the statements' foreign keys: cheap there, and it cannot drop one without
-- rebuilding the table. PostgreSQL checks the same references once per INSERT (its migration).
