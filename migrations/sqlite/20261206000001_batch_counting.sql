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
DROP TRIGGER leads_counted;
CREATE TRIGGER leads_counted AFTER INSERT ON leads WHEN NEW.counted_by_writer = 0 BEGIN
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
