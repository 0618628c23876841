-- A statement names a promoter and a run that exist.

-- engine-specific
-- A draft writes a statement per promoter (10,000 for a large organization). Each row's
-- foreign-key check locked its promoter's row (FOR KEY SHARE writes the users tuple) and its
-- run's: 60% of the draft's writing time. The same references are checked once per INSERT
-- over all its rows instead, and a promoter or run with statements cannot be deleted.
ALTER TABLE statements DROP CONSTRAINT statements_run_id_fkey, DROP CONSTRAINT statements_promoter_id_fkey;

CREATE FUNCTION statements_refer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.promoter_id))
       OR EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM settlement_runs r WHERE r.id = n.run_id)) THEN
        RAISE EXCEPTION 'a statement names a promoter or a run that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER statements_refer AFTER INSERT ON statements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION statements_refer();

CREATE FUNCTION statements_referred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' AND EXISTS (SELECT 1 FROM statements s WHERE s.promoter_id = OLD.id)
       OR TG_TABLE_NAME = 'settlement_runs' AND EXISTS (SELECT 1 FROM statements s WHERE s.run_id = OLD.id) THEN
        RAISE EXCEPTION '% % has statements', TG_TABLE_NAME, OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER users_referred BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION statements_referred();
CREATE TRIGGER settlement_runs_referred BEFORE DELETE ON settlement_runs FOR EACH ROW EXECUTE FUNCTION statements_referred();
