-- Approval settles a run's statements (their lines become what the ledger counts as paid) a
-- hundred a transaction; each is marked when settled, so an approval that dies midway is
-- finished by the next without settling a statement twice.
ALTER TABLE statements ADD COLUMN settled_at BIGINT;
UPDATE statements SET settled_at = 0 WHERE run_id IN (SELECT id FROM settlement_runs WHERE status IN ('approved', 'paid'));
-- When an approval of the run began settling it: one run of a scope settles at a time.
ALTER TABLE settlement_runs ADD COLUMN settling_from BIGINT;
