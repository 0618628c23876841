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
CREATE TRIGGER user_roles_kind_added AFTER INSERT ON user_roles BEGIN
    UPDATE users SET promoter_kind = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'partner') THEN 'partner'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'customer') THEN 'customer'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
        ELSE '' END WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_roles_kind_removed AFTER DELETE ON user_roles BEGIN
    UPDATE users SET promoter_kind = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'partner') THEN 'partner'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'customer') THEN 'customer'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
        ELSE '' END WHERE id = OLD.user_id;
END;
CREATE TRIGGER user_roles_kind_changed AFTER UPDATE ON user_roles BEGIN
    UPDATE users SET promoter_kind = CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'partner') THEN 'partner'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'customer') THEN 'customer'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
        ELSE '' END WHERE id IN (OLD.user_id, NEW.user_id);
END;
DROP TRIGGER leads_counted;
CREATE TRIGGER leads_counted AFTER INSERT ON leads BEGIN
    UPDATE leads SET channel = COALESCE((SELECT c.channel FROM clicks c WHERE c.link_id = NEW.link_id AND c.visitor = NEW.visitor AND c.at <= NEW.submitted_at ORDER BY c.at DESC LIMIT 1), 'direct') WHERE NEW.channel IS NULL AND id = NEW.id;
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, leads_pending, leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected)
    SELECT (SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1), NEW.campaign_id, COALESCE(NEW.channel, (SELECT l.channel FROM leads l WHERE l.id = NEW.id)),
        COALESCE(f.department_id, NEW.department_id, 0), COALESCE(f.promoter_kind, ''), CASE NEW.status WHEN 'pending' THEN 1 ELSE 0 END, CASE NEW.status WHEN 'held' THEN 1 ELSE 0 END, CASE NEW.status WHEN 'valid' THEN 1 ELSE 0 END, CASE NEW.status WHEN 'duplicate' THEN 1 ELSE 0 END, CASE NEW.status WHEN 'invalid' THEN 1 ELSE 0 END, CASE NEW.status WHEN 'rejected' THEN 1 ELSE 0 END
    FROM (SELECT 1 AS one) one LEFT JOIN promoter_facets f ON f.id = NEW.promoter_id WHERE true
    ON CONFLICT (day, campaign_id, channel, department_id, promoter_kind) DO UPDATE SET
        clicks = figure_counts.clicks + excluded.clicks,
        unique_visitors = figure_counts.unique_visitors + excluded.unique_visitors,
        shares = figure_counts.shares + excluded.shares,
        leads_pending = figure_counts.leads_pending + excluded.leads_pending,
        leads_held = figure_counts.leads_held + excluded.leads_held,
        leads_valid = figure_counts.leads_valid + excluded.leads_valid,
        leads_duplicate = figure_counts.leads_duplicate + excluded.leads_duplicate,
        leads_invalid = figure_counts.leads_invalid + excluded.leads_invalid,
        leads_rejected = figure_counts.leads_rejected + excluded.leads_rejected,
        deals = figure_counts.deals + excluded.deals,
        deal_amount_fen = figure_counts.deal_amount_fen + excluded.deal_amount_fen,
        deal_profit_fen = figure_counts.deal_profit_fen + excluded.deal_profit_fen;
    INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, shares_days, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days)
    SELECT substr(x.day, 1, 7), NEW.promoter_id, NEW.campaign_id, f.department_id, f.promoter_kind, CASE x.channel WHEN '' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'moments' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'group' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'qr' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'sms' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'poster' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'other' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'direct' THEN x.bit ELSE 0 END
    FROM (SELECT y.day, CAST(1 AS BIGINT) << (CAST(substr(y.day, 9, 2) AS INTEGER) - 1) AS bit, y.channel FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day, COALESCE(NEW.channel, (SELECT l.channel FROM leads l WHERE l.id = NEW.id)) AS channel) y) x JOIN promoter_facets f ON f.id = NEW.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET
        shares_days = promoter_months.shares_days | excluded.shares_days,
        moments_days = promoter_months.moments_days | excluded.moments_days,
        group_days = promoter_months.group_days | excluded.group_days,
        qr_days = promoter_months.qr_days | excluded.qr_days,
        sms_days = promoter_months.sms_days | excluded.sms_days,
        poster_days = promoter_months.poster_days | excluded.poster_days,
        other_days = promoter_months.other_days | excluded.other_days,
        direct_days = promoter_months.direct_days | excluded.direct_days;
END;
