-- Live dashboards read counters that the database keeps as the facts arrive, in the fact's
-- own transaction, on every path that writes one (the app, imports, the demo, SQL by hand).
-- app/src/features/dashboard/store/counters.rs reads them and can recount them from the facts.
-- A lead keeps the channel it came through: the app gives the visitor's last click when it
-- knows it; otherwise the last click on the lead's link before it was submitted, found once.
ALTER TABLE leads ADD COLUMN channel TEXT;
UPDATE leads SET channel = COALESCE((SELECT c.channel FROM clicks c WHERE c.link_id = leads.link_id AND c.visitor = leads.visitor AND c.at <= leads.submitted_at ORDER BY c.at DESC LIMIT 1), 'direct');
CREATE INDEX leads_assigned_at ON leads(assigned_at);
CREATE INDEX statement_lines_vests_on ON statement_lines(vests_on);

-- The organization's local days: a fact belongs to the last day that starts at or before it
-- (before the first: day 0000-00-01, never shown). The server writes them for its time zone
-- (a new time zone rewrites them and recounts).
CREATE TABLE org_days (
    start_ms BIGINT PRIMARY KEY,
    day TEXT NOT NULL
);

-- A promoter's department and kind as the dashboard cuts them (PRODUCT.md §6).
CREATE VIEW promoter_facets AS
SELECT u.id, COALESCE(u.department_id, 0) AS department_id,
    CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'partner') THEN 'partner'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'customer') THEN 'customer'
        WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) THEN 'employee'
        ELSE '' END AS promoter_kind
FROM users u;

-- What happened per org-local day, campaign and channel, filed under the promoter's department
-- and kind when it happened (0 and '' for none; shares have no channel: ''). Leads are counted
-- by their status now: a review moves one count.
CREATE TABLE figure_counts (
    day TEXT NOT NULL,
    campaign_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    promoter_kind TEXT NOT NULL,
    clicks BIGINT NOT NULL DEFAULT 0,
    unique_visitors BIGINT NOT NULL DEFAULT 0,
    shares BIGINT NOT NULL DEFAULT 0,
    leads_pending BIGINT NOT NULL DEFAULT 0,
    leads_held BIGINT NOT NULL DEFAULT 0,
    leads_valid BIGINT NOT NULL DEFAULT 0,
    leads_duplicate BIGINT NOT NULL DEFAULT 0,
    leads_invalid BIGINT NOT NULL DEFAULT 0,
    leads_rejected BIGINT NOT NULL DEFAULT 0,
    deals BIGINT NOT NULL DEFAULT 0,
    deal_amount_fen BIGINT NOT NULL DEFAULT 0,
    deal_profit_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, campaign_id, channel, department_id, promoter_kind)
);

-- Who was active (a click, a share or a lead) in a month: bit d-1 of `days` for day d, so that
-- any period's distinct active promoters are read from a row per promoter and month.
CREATE TABLE active_promoters (
    month TEXT NOT NULL,
    promoter_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    promoter_kind TEXT NOT NULL,
    days BIGINT NOT NULL,
    PRIMARY KEY (month, promoter_id, campaign_id, channel, department_id, promoter_kind)
);

-- engine-specific: below this line each engine's own syntax.
CREATE FUNCTION clicks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, clicks, unique_visitors)
    SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01'), pl.campaign_id, NEW.channel, f.department_id, f.promoter_kind, 1, NEW.unique_visit
    FROM promo_links pl JOIN promoter_facets f ON f.id = pl.promoter_id WHERE pl.id = NEW.link_id
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
    INSERT INTO active_promoters (month, promoter_id, campaign_id, channel, department_id, promoter_kind, days)
    SELECT substr(x.day, 1, 7), pl.promoter_id, pl.campaign_id, NEW.channel, f.department_id, f.promoter_kind, CAST(1 AS BIGINT) << (CAST(substr(x.day, 9, 2) AS INTEGER) - 1)
    FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day) x JOIN promo_links pl ON pl.id = NEW.link_id JOIN promoter_facets f ON f.id = pl.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, channel, department_id, promoter_kind) DO UPDATE SET days = active_promoters.days | excluded.days;
    RETURN NULL;
END
$$;
CREATE TRIGGER clicks_counted AFTER INSERT ON clicks FOR EACH ROW WHEN (NEW.ua_class <> 'bot') EXECUTE FUNCTION clicks_counted();
CREATE FUNCTION shares_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, shares)
    SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01'), pl.campaign_id, '', f.department_id, f.promoter_kind, 1
    FROM promo_links pl JOIN promoter_facets f ON f.id = pl.promoter_id WHERE pl.id = NEW.link_id
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
    INSERT INTO active_promoters (month, promoter_id, campaign_id, channel, department_id, promoter_kind, days)
    SELECT substr(x.day, 1, 7), pl.promoter_id, pl.campaign_id, '', f.department_id, f.promoter_kind, CAST(1 AS BIGINT) << (CAST(substr(x.day, 9, 2) AS INTEGER) - 1)
    FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day) x JOIN promo_links pl ON pl.id = NEW.link_id JOIN promoter_facets f ON f.id = pl.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, channel, department_id, promoter_kind) DO UPDATE SET days = active_promoters.days | excluded.days;
    RETURN NULL;
END
$$;
CREATE TRIGGER shares_counted AFTER INSERT ON shares FOR EACH ROW EXECUTE FUNCTION shares_counted();
CREATE FUNCTION leads_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.channel IS NULL THEN
        NEW.channel := COALESCE((SELECT c.channel FROM clicks c WHERE c.link_id = NEW.link_id AND c.visitor = NEW.visitor AND c.at <= NEW.submitted_at ORDER BY c.at DESC LIMIT 1), 'direct');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER leads_channel BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION leads_channel();
CREATE FUNCTION leads_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, leads_pending, leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected)
    SELECT (SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1), NEW.campaign_id, NEW.channel,
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
    INSERT INTO active_promoters (month, promoter_id, campaign_id, channel, department_id, promoter_kind, days)
    SELECT substr(x.day, 1, 7), NEW.promoter_id, NEW.campaign_id, NEW.channel, f.department_id, f.promoter_kind, CAST(1 AS BIGINT) << (CAST(substr(x.day, 9, 2) AS INTEGER) - 1)
    FROM (SELECT (SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1) AS day) x JOIN promoter_facets f ON f.id = NEW.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, channel, department_id, promoter_kind) DO UPDATE SET days = active_promoters.days | excluded.days;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_counted AFTER INSERT ON leads FOR EACH ROW EXECUTE FUNCTION leads_counted();
CREATE FUNCTION leads_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, leads_pending, leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected)
    SELECT (SELECT d.day FROM org_days d WHERE d.start_ms <= OLD.submitted_at ORDER BY d.start_ms DESC LIMIT 1), OLD.campaign_id, OLD.channel,
        COALESCE(f.department_id, OLD.department_id, 0), COALESCE(f.promoter_kind, ''), CASE OLD.status WHEN 'pending' THEN -1 ELSE 0 END, CASE OLD.status WHEN 'held' THEN -1 ELSE 0 END, CASE OLD.status WHEN 'valid' THEN -1 ELSE 0 END, CASE OLD.status WHEN 'duplicate' THEN -1 ELSE 0 END, CASE OLD.status WHEN 'invalid' THEN -1 ELSE 0 END, CASE OLD.status WHEN 'rejected' THEN -1 ELSE 0 END
    FROM (SELECT 1 AS one) one LEFT JOIN promoter_facets f ON f.id = OLD.promoter_id WHERE true
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
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, leads_pending, leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected)
    SELECT (SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1), NEW.campaign_id, NEW.channel,
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
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_recounted AFTER UPDATE ON leads FOR EACH ROW
WHEN (OLD.status <> NEW.status OR OLD.submitted_at <> NEW.submitted_at OR OLD.campaign_id <> NEW.campaign_id OR OLD.promoter_id IS DISTINCT FROM NEW.promoter_id OR OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.channel IS DISTINCT FROM NEW.channel)
EXECUTE FUNCTION leads_recounted();
CREATE FUNCTION deals_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_counts (day, campaign_id, channel, department_id, promoter_kind, deals, deal_amount_fen, deal_profit_fen)
    SELECT NEW.signed_on, COALESCE(NEW.campaign_id, 0), COALESCE((SELECT l.channel FROM leads l WHERE l.id = NEW.lead_id), 'direct'),
        COALESCE(f.department_id, 0), COALESCE(f.promoter_kind, ''), 1, NEW.amount_fen, NEW.amount_fen - COALESCE(NEW.cost_fen, 0)
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
    RETURN NULL;
END
$$;
CREATE TRIGGER deals_counted AFTER INSERT ON deals FOR EACH ROW EXECUTE FUNCTION deals_counted();
