-- A draft no longer copies its reward lines into statement lines: it holds the ledger as it
-- stood at one revision, and its statements are read from the ledger through that hold. A
-- ledger row that changes while held is first kept as it was; approval writes the run's
-- statement lines (the record) and releases the hold.
ALTER TABLE reward_ledger ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
-- 1 for a cash line (what a draft sums without reading the line itself), 0 for a coupon.
ALTER TABLE reward_ledger ADD COLUMN cash BIGINT NOT NULL DEFAULT 1;
UPDATE reward_ledger SET cash = 0 WHERE line IS NOT NULL AND line NOT LIKE '%"kind":"Cash"%';
ALTER TABLE accrual_turn ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- A reader holding the ledger as of a revision (a settlement draft until its run is approved).
CREATE TABLE ledger_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    revision BIGINT NOT NULL,
    held_at BIGINT NOT NULL
);

-- Ledger rows as a hold saw them, kept when they changed after it.
CREATE TABLE ledger_kept (
    read_id BIGINT NOT NULL REFERENCES ledger_reads(id),
    line_key TEXT NOT NULL,
    promoter_id BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    settled_fen BIGINT NOT NULL,
    vests_on TEXT,
    cash BIGINT NOT NULL,
    line TEXT,
    PRIMARY KEY (read_id, line_key)
);
CREATE INDEX ledger_kept_promoter ON ledger_kept(read_id, promoter_id);

-- The hold a draft reads through; NULL for drafts made before (their lines were copied).
ALTER TABLE settlement_runs ADD COLUMN ledger_read BIGINT REFERENCES ledger_reads(id);

-- engine-specific: a campaign's boost windows changed re-accrue the campaign's deals.
CREATE TRIGGER campaigns_accrue_boosts AFTER UPDATE OF boosts ON campaigns WHEN OLD.boosts <> NEW.boosts BEGIN
    INSERT INTO accruals (customer) SELECT DISTINCT customer_phone FROM deals WHERE campaign_id = NEW.id;
END;
