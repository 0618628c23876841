-- Facts are counted cheaply (issue 21: referral-form submissions were 25–30% slower with the
-- counters). Measured on SQLite, a lead through a promoter's link spent ~120 µs in its counting
-- trigger, nearly all in the promoter_facets view's three role lookups, run twice; a lead
-- without a link spent ~9 µs re-writing itself to fill in its channel. Now a person's promoter
-- kind is a column kept from their roles, and a lead re-writes itself only when the app did not
-- know its channel.
ALTER TABLE users ADD COLUMN promoter_kind TEXT NOT NULL DEFAULT '' CHECK (promoter_kind IN ('', 'partner', 'customer', 'employee'));
UPDATE users SET promoter_kind = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'partner') THEN 'partner'
    WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'customer') THEN 'customer'
    WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
    ELSE '' END;
DROP VIEW promoter_facets;
CREATE VIEW promoter_facets AS
SELECT u.id, COALESCE(u.department_id, 0) AS department_id, u.promoter_kind FROM users u;

-- engine-specific: below this line each engine's own syntax: the triggers that keep a person's
-- kind from their roles (PRODUCT.md §6: partner, else customer, else employee), and the lead
-- triggers that only search for a channel the lead was stored without.
CREATE FUNCTION user_roles_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- OLD is null on an insert, NEW on a delete.
    UPDATE users SET promoter_kind = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'partner') THEN 'partner'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'customer') THEN 'customer'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
        ELSE '' END WHERE id IN (OLD.user_id, NEW.user_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER user_roles_kind AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH ROW EXECUTE FUNCTION user_roles_kind();
-- A trigger that has nothing to do is not even queued.
DROP TRIGGER leads_channel ON leads;
CREATE TRIGGER leads_channel BEFORE INSERT ON leads FOR EACH ROW WHEN (NEW.channel IS NULL) EXECUTE FUNCTION leads_channel();
DROP TRIGGER leads_response_counted ON leads;
CREATE TRIGGER leads_response_counted AFTER INSERT ON leads FOR EACH ROW WHEN (NEW.assigned_at IS NOT NULL) EXECUTE FUNCTION leads_response_counted();
