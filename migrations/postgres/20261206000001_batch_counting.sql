-- The referral form's writer counts its batch's leads in one statement per counter table
-- (issue 21: a trigger's upsert per lead cost every submission a row write the batch can
-- share). A lead it counted says so, and the insert trigger skips it; every other insert (a
-- test, a repair by hand) is still counted by the trigger. Status changes after the insert are
-- counted by the update triggers as before, whoever inserted the lead.
ALTER TABLE leads ADD COLUMN counted_by_writer INTEGER NOT NULL DEFAULT 0 CHECK (counted_by_writer IN (0, 1));
-- Only assigned leads are searched by assignment time: the others need no index entry.
DROP INDEX leads_assigned_at;
CREATE INDEX leads_assigned_at ON leads(assigned_at) WHERE assigned_at IS NOT NULL;

-- engine-specific: below this line each engine's own syntax: the insert trigger, skipping
-- leads the writer counted.
DROP TRIGGER leads_counted ON leads;
CREATE TRIGGER leads_counted AFTER INSERT ON leads FOR EACH ROW WHEN (NEW.counted_by_writer = 0) EXECUTE FUNCTION leads_counted();
