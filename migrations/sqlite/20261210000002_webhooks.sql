-- Outgoing webhooks (Standard Webhooks): endpoints admin registers per event type, and one
-- delivery per event and endpoint, retried for 24 hours. `events` is space-separated with a
-- space at each end (' lead.created deal.created ') so one LIKE finds a subscriber.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    -- whsec_ and the key in base64: deliveries are signed with it (HMAC-SHA256).
    secret TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    -- Since when every delivery has failed (NULL while deliveries succeed).
    failing_since BIGINT,
    disabled_at BIGINT
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints(id),
    event TEXT NOT NULL,
    -- The event's data (JSON), as it was when it happened.
    payload TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued', -- queued, delivered, failed
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    give_up_at BIGINT NOT NULL,
    response_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
-- engine-specific: below this line each engine's own syntax.
CREATE TRIGGER leads_created_webhook AFTER INSERT ON leads
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% lead.created %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'lead.created', json_object('lead_id', NEW.id, 'campaign_id', NEW.campaign_id, 'promoter_id', NEW.promoter_id, 'status', NEW.status, 'submitted_at', NEW.submitted_at), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% lead.created %';
END;
CREATE TRIGGER leads_status_webhook AFTER UPDATE OF status ON leads
WHEN OLD.status <> NEW.status AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% lead.status_changed %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'lead.status_changed', json_object('lead_id', NEW.id, 'campaign_id', NEW.campaign_id, 'from', OLD.status, 'to', NEW.status), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% lead.status_changed %';
END;
CREATE TRIGGER deals_created_webhook AFTER INSERT ON deals
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% deal.created %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'deal.created', json_object('deal_id', NEW.id, 'order_no', NEW.order_no, 'amount_fen', NEW.amount_fen, 'currency', 'CNY', 'signed_on', NEW.signed_on, 'promoter_id', NEW.promoter_id, 'campaign_id', NEW.campaign_id, 'source', NEW.source), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% deal.created %';
END;
CREATE TRIGGER payments_recorded_webhook AFTER INSERT ON payments
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% payment.recorded %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'payment.recorded', json_object('id', NEW.id, 'deal_id', NEW.deal_id, 'amount_fen', NEW.amount_fen, 'currency', 'CNY', 'paid_on', NEW.paid_on, 'payment_id', NEW.external_id), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% payment.recorded %';
END;
CREATE TRIGGER runs_approved_webhook AFTER UPDATE OF status ON settlement_runs
WHEN NEW.status = 'approved' AND OLD.status <> 'approved' AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% run.approved %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'run.approved', json_object('run_id', NEW.id, 'period', NEW.period, 'scope', NEW.scope), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% run.approved %';
END;
CREATE TRIGGER runs_paid_webhook AFTER UPDATE OF status ON settlement_runs
WHEN NEW.status = 'paid' AND OLD.status <> 'paid' AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% payout.paid %') BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at)
    SELECT e.id, 'payout.paid', json_object('run_id', NEW.id, 'period', NEW.period, 'scope', NEW.scope), t.now, t.now, t.now + 86400000
    FROM webhook_endpoints e, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) t
    WHERE e.disabled_at IS NULL AND e.events LIKE '% payout.paid %';
END;
