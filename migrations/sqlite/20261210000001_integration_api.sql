-- The integration API (/api/v1).
-- A POST's Idempotency-Key: the first request's fingerprint and, once answered, its answer, kept
-- per key owner (the API key's hash) for 24 hours. status is NULL while the first is in flight.
CREATE TABLE api_idempotency (
    owner TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);

-- A payment or refund an order system pushes carries its own id: the same id twice is one payment.
ALTER TABLE payments ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX payments_external ON payments(external_id);

-- When a lead last changed (its status, stage, assignment, …): integrations pull what changed.
ALTER TABLE leads ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE leads SET updated_at = submitted_at;
CREATE INDEX leads_updated ON leads(updated_at, id);
-- engine-specific: below this line each engine's own syntax.
CREATE TRIGGER leads_touched AFTER UPDATE OF status, stage, assigned_to, reason, flag, duplicate_of, name, demand_tags, note ON leads
WHEN NEW.updated_at = OLD.updated_at BEGIN
    UPDATE leads SET updated_at = MAX(OLD.updated_at + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) WHERE id = NEW.id;
END;
