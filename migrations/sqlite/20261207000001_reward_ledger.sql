-- The reward ledger (PRODUCT.md §4): one row per reward line, keyed by the engine's line key
-- (the fact, the rule version, the payee and the kind), kept as facts arrive. A period's draft
-- reads the lines not yet settled, so it does not grow with history.
CREATE TABLE reward_ledger (
    line_key TEXT PRIMARY KEY,
    -- Whose deals earn it; NULL for a lead's line and a period's (tier, target) line.
    customer TEXT,
    lead_id BIGINT,
    promoter_id BIGINT NOT NULL,
    deal_id BIGINT,
    amount_fen BIGINT NOT NULL,
    -- What approved runs paid for it.
    settled_fen BIGINT NOT NULL DEFAULT 0,
    vests_on TEXT,
    -- The engine's reward line (JSON); NULL once the facts no longer earn it.
    line TEXT,
    accrued_at BIGINT NOT NULL,
    -- 1 once the promoter was told the reward vested (奖励已确认).
    announced BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reward_ledger_customer ON reward_ledger(customer) WHERE customer IS NOT NULL;
CREATE INDEX reward_ledger_lead ON reward_ledger(lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX reward_ledger_period ON reward_ledger(promoter_id) WHERE customer IS NULL;
CREATE INDEX reward_ledger_open ON reward_ledger(promoter_id, vests_on) WHERE amount_fen <> settled_fen;
-- Lines that earn nothing (at or below cost, staff bookings) are explained in their period.
CREATE INDEX reward_ledger_zero ON reward_ledger(promoter_id, vests_on) WHERE amount_fen = 0;
CREATE INDEX reward_ledger_vests_on ON reward_ledger(vests_on);
CREATE INDEX reward_ledger_unannounced ON reward_ledger(vests_on) WHERE announced = 0;

-- Each payment's part of a marginal-tier pool (a promoter's month or quarter across customers).
CREATE TABLE reward_tier_parts (
    part_key TEXT PRIMARY KEY,
    customer TEXT NOT NULL,
    tier_key TEXT NOT NULL,
    part TEXT NOT NULL -- the engine's part (JSON)
);
CREATE INDEX reward_tier_parts_customer ON reward_tier_parts(customer);
CREATE INDEX reward_tier_parts_tier ON reward_tier_parts(tier_key);

-- What approved runs paid before the ledger existed: each key's row, to be re-accrued.
INSERT INTO reward_ledger (line_key, customer, promoter_id, deal_id, amount_fen, settled_fen, vests_on, line, accrued_at, announced)
SELECT sl.line_key, MAX(d.customer_phone), MAX(s.promoter_id), MAX(sl.deal_id), SUM(sl.amount_fen), SUM(sl.amount_fen),
    MAX(sl.vests_on), NULL, 0, 1
FROM statement_lines sl JOIN statements s ON s.id = sl.statement_id JOIN settlement_runs r ON r.id = s.run_id
LEFT JOIN deals d ON d.id = sl.deal_id
WHERE r.status <> 'draft' GROUP BY sl.line_key;

-- Deals record who serves the customer (the service share of a split).
ALTER TABLE deals ADD COLUMN service_id BIGINT REFERENCES users(id);
CREATE INDEX deals_service ON deals(service_id);

-- One accrual at a time across instances: each accrual transaction takes this row first.
CREATE TABLE accrual_turn (id BIGINT PRIMARY KEY, taken_at BIGINT NOT NULL);
INSERT INTO accrual_turn (id, taken_at) VALUES (1, 0);

-- A draft builds in short transactions while its run is 'drafting' (its statements shown to
-- nobody); its maker renews the lease each step, so a crashed draft is taken over.
ALTER TABLE settlement_runs ADD COLUMN draft_token BIGINT;
ALTER TABLE settlement_runs ADD COLUMN draft_beat BIGINT;

-- engine-specific: the queue's clock and its triggers.
-- Facts waiting to accrue, written in the fact's own transaction by the triggers below, so
-- nothing acknowledged is lost; the accrual worker takes them in order.
CREATE TABLE accruals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT,
    lead_id BIGINT,
    queued_at BIGINT NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    CHECK ((customer IS NULL) <> (lead_id IS NULL))
);

CREATE TRIGGER payments_accrue AFTER INSERT ON payments BEGIN
    INSERT INTO accruals (customer) SELECT customer_phone FROM deals WHERE id = NEW.deal_id;
END;
CREATE TRIGGER deals_accrue AFTER INSERT ON deals BEGIN
    INSERT INTO accruals (customer) VALUES (NEW.customer_phone);
END;
CREATE TRIGGER deals_accrue_change AFTER UPDATE ON deals BEGIN
    INSERT INTO accruals (customer) VALUES (NEW.customer_phone);
    INSERT INTO accruals (customer) SELECT OLD.customer_phone WHERE OLD.customer_phone <> NEW.customer_phone;
END;
CREATE TRIGGER leads_accrue AFTER UPDATE OF status, reviewed_at ON leads
WHEN OLD.status = 'valid' OR NEW.status = 'valid' BEGIN
    INSERT INTO accruals (lead_id) VALUES (NEW.id);
END;

INSERT INTO accruals (customer) SELECT DISTINCT customer_phone FROM deals;
INSERT INTO accruals (lead_id) SELECT id FROM leads WHERE status = 'valid';
