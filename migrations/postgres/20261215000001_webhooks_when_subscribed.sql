-- A fact whose event nobody subscribes to costs its trigger one look at the few endpoints,
-- not a JSON document and an INSERT … SELECT: PostgreSQL's trigger conditions cannot read
-- another table, so each function asks first (SQLite's triggers ask in their WHEN).
-- engine-specific: below this line each engine's own syntax.
CREATE OR REPLACE FUNCTION leads_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% lead.created %') THEN
            PERFORM webhook_emit('lead.created', json_build_object('lead_id', NEW.id, 'campaign_id', NEW.campaign_id, 'promoter_id', NEW.promoter_id, 'status', NEW.status, 'submitted_at', NEW.submitted_at)::text);
        END IF;
    ELSIF NEW.status <> OLD.status THEN
        IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% lead.status_changed %') THEN
            PERFORM webhook_emit('lead.status_changed', json_build_object('lead_id', NEW.id, 'campaign_id', NEW.campaign_id, 'from', OLD.status, 'to', NEW.status)::text);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION deals_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% deal.created %') THEN
        PERFORM webhook_emit('deal.created', json_build_object('deal_id', NEW.id, 'order_no', NEW.order_no, 'amount_fen', NEW.amount_fen, 'currency', 'CNY', 'signed_on', NEW.signed_on, 'promoter_id', NEW.promoter_id, 'campaign_id', NEW.campaign_id, 'source', NEW.source)::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION payments_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE '% payment.recorded %') THEN
        PERFORM webhook_emit('payment.recorded', json_build_object('id', NEW.id, 'deal_id', NEW.deal_id, 'amount_fen', NEW.amount_fen, 'currency', 'CNY', 'paid_on', NEW.paid_on, 'payment_id', NEW.external_id)::text);
    END IF;
    RETURN NULL;
END
$$;
