-- Faster dashboard loads at a real organization's size (issue 21), measured: the distinct active
-- promoters of a period are read from one row per promoter, month, campaign, department and
-- kind holding each channel's active days as bits (instead of a row per channel, grouped at
-- every load), and the share of assigned leads first contacted in time from counters by
-- assignment day and whole hours to first contact (instead of every assigned lead of the
-- period). app/src/features/dashboard/store/counters.rs reads them; recount.rs rebuilds them.

-- Leads by the org-local day they were assigned, the lead's campaign and channel and the
-- promoter's department and kind, and the whole hours from assignment to first contact
-- (rounded up; 0 when at once or before; -1 not yet contacted; 169 later than the longest
-- first-contact window a policy may set, 168 hours): a lead was contacted within a window of H
-- hours exactly when 0 <= hours <= H.
CREATE TABLE response_counts (
    day TEXT NOT NULL,
    campaign_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    promoter_kind TEXT NOT NULL,
    hours BIGINT NOT NULL,
    leads BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, campaign_id, channel, department_id, promoter_kind, hours)
);
INSERT INTO response_counts (day, campaign_id, channel, department_id, promoter_kind, hours, leads)
SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= l.assigned_at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01'), l.campaign_id, l.channel, COALESCE(f.department_id, l.department_id, 0), COALESCE(f.promoter_kind, ''), CASE WHEN l.first_contact_at IS NULL THEN -1 WHEN l.first_contact_at <= l.assigned_at THEN 0 WHEN l.first_contact_at - l.assigned_at > 169 * 3600000 THEN 169 ELSE (l.first_contact_at - l.assigned_at + 3599999) / 3600000 END, COUNT(*)
FROM leads l LEFT JOIN promoter_facets f ON f.id = l.promoter_id WHERE l.assigned_at IS NOT NULL AND l.channel IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

-- engine-specific: below this line each engine's own syntax: promoter_months (on SQLite
-- stored in its key's order), and the triggers that kept active_promoters, which keep it
-- instead (their figure_counts part as it was).

-- Bit d-1 of a `*_days` column: the promoter was active on day d of the month through that
-- channel (`shares_days`: shared, which counts under any channel).
CREATE TABLE promoter_months (
    month TEXT NOT NULL,
    promoter_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    promoter_kind TEXT NOT NULL,
    shares_days BIGINT NOT NULL DEFAULT 0,
    moments_days BIGINT NOT NULL DEFAULT 0,
    group_days BIGINT NOT NULL DEFAULT 0,
    qr_days BIGINT NOT NULL DEFAULT 0,
    sms_days BIGINT NOT NULL DEFAULT 0,
    poster_days BIGINT NOT NULL DEFAULT 0,
    other_days BIGINT NOT NULL DEFAULT 0,
    direct_days BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, promoter_id, campaign_id, department_id, promoter_kind)
);
INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, shares_days, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days)
SELECT month, promoter_id, campaign_id, department_id, promoter_kind, SUM(CASE channel WHEN '' THEN days ELSE 0 END), SUM(CASE channel WHEN 'moments' THEN days ELSE 0 END), SUM(CASE channel WHEN 'group' THEN days ELSE 0 END), SUM(CASE channel WHEN 'qr' THEN days ELSE 0 END), SUM(CASE channel WHEN 'sms' THEN days ELSE 0 END), SUM(CASE channel WHEN 'poster' THEN days ELSE 0 END), SUM(CASE channel WHEN 'other' THEN days ELSE 0 END), SUM(CASE channel WHEN 'direct' THEN days ELSE 0 END)
FROM active_promoters GROUP BY month, promoter_id, campaign_id, department_id, promoter_kind;

-- Counter rows change at every fact: room on each page to update them in place, and a
-- vacuum once 1% of a table changed rather than autovacuum's 20%.
ALTER TABLE figure_counts SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE promoter_months SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE response_counts SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.05);
CREATE OR REPLACE FUNCTION clicks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, shares_days, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days)
    SELECT substr(x.day, 1, 7), pl.promoter_id, pl.campaign_id, f.department_id, f.promoter_kind, CASE x.channel WHEN '' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'moments' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'group' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'qr' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'sms' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'poster' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'other' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'direct' THEN x.bit ELSE 0 END
    FROM (SELECT y.day, CAST(1 AS BIGINT) << (CAST(substr(y.day, 9, 2) AS INTEGER) - 1) AS bit, y.channel FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day, NEW.channel AS channel) y) x JOIN promo_links pl ON pl.id = NEW.link_id JOIN promoter_facets f ON f.id = pl.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET
        shares_days = promoter_months.shares_days | excluded.shares_days,
        moments_days = promoter_months.moments_days | excluded.moments_days,
        group_days = promoter_months.group_days | excluded.group_days,
        qr_days = promoter_months.qr_days | excluded.qr_days,
        sms_days = promoter_months.sms_days | excluded.sms_days,
        poster_days = promoter_months.poster_days | excluded.poster_days,
        other_days = promoter_months.other_days | excluded.other_days,
        direct_days = promoter_months.direct_days | excluded.direct_days;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION shares_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, shares_days, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days)
    SELECT substr(x.day, 1, 7), pl.promoter_id, pl.campaign_id, f.department_id, f.promoter_kind, CASE x.channel WHEN '' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'moments' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'group' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'qr' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'sms' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'poster' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'other' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'direct' THEN x.bit ELSE 0 END
    FROM (SELECT y.day, CAST(1 AS BIGINT) << (CAST(substr(y.day, 9, 2) AS INTEGER) - 1) AS bit, y.channel FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day, '' AS channel) y) x JOIN promo_links pl ON pl.id = NEW.link_id JOIN promoter_facets f ON f.id = pl.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET
        shares_days = promoter_months.shares_days | excluded.shares_days,
        moments_days = promoter_months.moments_days | excluded.moments_days,
        group_days = promoter_months.group_days | excluded.group_days,
        qr_days = promoter_months.qr_days | excluded.qr_days,
        sms_days = promoter_months.sms_days | excluded.sms_days,
        poster_days = promoter_months.poster_days | excluded.poster_days,
        other_days = promoter_months.other_days | excluded.other_days,
        direct_days = promoter_months.direct_days | excluded.direct_days;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION leads_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, shares_days, moments_days, group_days, qr_days, sms_days, poster_days, other_days, direct_days)
    SELECT substr(x.day, 1, 7), NEW.promoter_id, NEW.campaign_id, f.department_id, f.promoter_kind, CASE x.channel WHEN '' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'moments' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'group' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'qr' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'sms' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'poster' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'other' THEN x.bit ELSE 0 END, CASE x.channel WHEN 'direct' THEN x.bit ELSE 0 END
    FROM (SELECT y.day, CAST(1 AS BIGINT) << (CAST(substr(y.day, 9, 2) AS INTEGER) - 1) AS bit, y.channel FROM (SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.submitted_at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01') AS day, NEW.channel AS channel) y) x JOIN promoter_facets f ON f.id = NEW.promoter_id WHERE true
    ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET
        shares_days = promoter_months.shares_days | excluded.shares_days,
        moments_days = promoter_months.moments_days | excluded.moments_days,
        group_days = promoter_months.group_days | excluded.group_days,
        qr_days = promoter_months.qr_days | excluded.qr_days,
        sms_days = promoter_months.sms_days | excluded.sms_days,
        poster_days = promoter_months.poster_days | excluded.poster_days,
        other_days = promoter_months.other_days | excluded.other_days,
        direct_days = promoter_months.direct_days | excluded.direct_days;
    RETURN NULL;
END
$$;
DROP TABLE active_promoters;
CREATE FUNCTION leads_response_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.assigned_at IS NOT NULL AND OLD.channel IS NOT NULL THEN
            INSERT INTO response_counts (day, campaign_id, channel, department_id, promoter_kind, hours, leads)
            SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= OLD.assigned_at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01'), OLD.campaign_id, OLD.channel, COALESCE(f.department_id, OLD.department_id, 0), COALESCE(f.promoter_kind, ''), CASE WHEN OLD.first_contact_at IS NULL THEN -1 WHEN OLD.first_contact_at <= OLD.assigned_at THEN 0 WHEN OLD.first_contact_at - OLD.assigned_at > 169 * 3600000 THEN 169 ELSE (OLD.first_contact_at - OLD.assigned_at + 3599999) / 3600000 END, -1
            FROM (SELECT 1 AS one) one LEFT JOIN promoter_facets f ON f.id = OLD.promoter_id WHERE true
            ON CONFLICT (day, campaign_id, channel, department_id, promoter_kind, hours) DO UPDATE SET leads = response_counts.leads + excluded.leads;
        END IF;
    END IF;
    IF NEW.assigned_at IS NOT NULL AND NEW.channel IS NOT NULL THEN
        INSERT INTO response_counts (day, campaign_id, channel, department_id, promoter_kind, hours, leads)
        SELECT COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= NEW.assigned_at ORDER BY d.start_ms DESC LIMIT 1), '0000-00-01'), NEW.campaign_id, NEW.channel, COALESCE(f.department_id, NEW.department_id, 0), COALESCE(f.promoter_kind, ''), CASE WHEN NEW.first_contact_at IS NULL THEN -1 WHEN NEW.first_contact_at <= NEW.assigned_at THEN 0 WHEN NEW.first_contact_at - NEW.assigned_at > 169 * 3600000 THEN 169 ELSE (NEW.first_contact_at - NEW.assigned_at + 3599999) / 3600000 END, 1
        FROM (SELECT 1 AS one) one LEFT JOIN promoter_facets f ON f.id = NEW.promoter_id WHERE true
        ON CONFLICT (day, campaign_id, channel, department_id, promoter_kind, hours) DO UPDATE SET leads = response_counts.leads + excluded.leads;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_response_counted AFTER INSERT ON leads FOR EACH ROW EXECUTE FUNCTION leads_response_counted();
CREATE TRIGGER leads_response_recounted AFTER UPDATE ON leads FOR EACH ROW
WHEN (OLD.assigned_at IS DISTINCT FROM NEW.assigned_at OR OLD.first_contact_at IS DISTINCT FROM NEW.first_contact_at OR OLD.campaign_id <> NEW.campaign_id OR OLD.promoter_id IS DISTINCT FROM NEW.promoter_id OR OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.channel IS DISTINCT FROM NEW.channel)
EXECUTE FUNCTION leads_response_counted();
