-- Deals, payments and refunds; referral codes and coupons; reward rules as versioned data;
-- settlement runs with their statements and lines. Dates are org-local YYYY-MM-DD text.
CREATE TABLE deals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL UNIQUE, -- importing the same order twice changes nothing
    lead_id BIGINT REFERENCES leads(id),
    customer_phone TEXT NOT NULL, -- E.164: a customer's orders are counted together
    customer_name TEXT NOT NULL DEFAULT '',
    promoter_id BIGINT REFERENCES users(id), -- the attributed referrer
    sales_rep_id BIGINT REFERENCES users(id),
    campaign_id BIGINT REFERENCES campaigns(id),
    amount_fen BIGINT NOT NULL,
    cost_fen BIGINT,
    signed_on TEXT NOT NULL,
    due_on TEXT,
    source TEXT NOT NULL, -- lead, manual, import, api
    referral_code TEXT,
    audit TEXT NOT NULL DEFAULT 'not_sampled', -- not_sampled, pending, verified, rejected
    audited_by BIGINT REFERENCES users(id),
    audited_at BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX deals_promoter ON deals(promoter_id);
CREATE INDEX deals_customer ON deals(customer_phone);
CREATE UNIQUE INDEX deals_lead ON deals(lead_id);

-- Money received on a deal; refunds are negative. An imported payment carries a reference
-- so that importing it again changes nothing.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id BIGINT NOT NULL REFERENCES deals(id),
    paid_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    reference TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_deal ON payments(deal_id);
CREATE UNIQUE INDEX payments_reference ON payments(deal_id, reference);

-- Every employee and customer promoter has one referral code.
CREATE TABLE referral_codes (
    code TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- A new customer's redemption of a code: ties their first deal to the referrer.
CREATE TABLE redemptions (
    phone TEXT PRIMARY KEY NOT NULL, -- one referrer per new customer: the first code redeemed
    code TEXT NOT NULL REFERENCES referral_codes(code),
    promoter_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- Coupons: the new-customer benefit (to a phone) and the customers' referral ladder (to a
-- promoter). `source` makes issuing idempotent.
CREATE TABLE coupons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL UNIQUE,
    owner_user_id BIGINT REFERENCES users(id),
    owner_phone TEXT,
    amount_fen BIGINT NOT NULL,
    perk BIGINT NOT NULL DEFAULT 0, -- comes with a free service
    status TEXT NOT NULL DEFAULT 'issued', -- issued, redeemed, expired
    issued_at BIGINT NOT NULL,
    expires_on TEXT NOT NULL,
    redeemed_deal_id BIGINT REFERENCES deals(id)
);
CREATE INDEX coupons_owner_user ON coupons(owner_user_id);
CREATE INDEX coupons_owner_phone ON coupons(owner_phone);

-- Reward rules as data: a change is a new version from a date; old versions stay.
CREATE TABLE reward_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    promoter_kind TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    campaign_id BIGINT REFERENCES campaigns(id),
    effective_from TEXT NOT NULL,
    effective_to TEXT, -- inclusive; NULL while current
    spec TEXT NOT NULL, -- JSON (domain::reward::Rule)
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (rule_id, version)
);

-- One run per period and scope, enforced here (two concurrent drafts make one run).
CREATE TABLE settlement_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL, -- 2026-11 or 2026-Q4
    scope TEXT NOT NULL, -- employee (monthly), partner (quarterly)
    status TEXT NOT NULL DEFAULT 'draft', -- draft, approved, paid
    drafted_at BIGINT NOT NULL,
    drafted_by BIGINT REFERENCES users(id),
    approved_at BIGINT,
    approved_by BIGINT REFERENCES users(id),
    paid_at BIGINT,
    paid_by BIGINT REFERENCES users(id),
    UNIQUE (period, scope)
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL REFERENCES settlement_runs(id),
    promoter_id BIGINT NOT NULL REFERENCES users(id),
    treatment TEXT NOT NULL,
    carried_in_fen BIGINT NOT NULL,
    gross_fen BIGINT NOT NULL,
    tax_fen BIGINT NOT NULL,
    net_fen BIGINT NOT NULL,
    carry_out_fen BIGINT NOT NULL,
    carry_reason TEXT,
    UNIQUE (run_id, promoter_id)
);
CREATE INDEX statements_promoter ON statements(promoter_id);

CREATE TABLE statement_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id BIGINT NOT NULL REFERENCES statements(id),
    line_key TEXT NOT NULL,
    rule_id BIGINT,
    rule_version BIGINT,
    deal_id BIGINT REFERENCES deals(id),
    basis_fen BIGINT NOT NULL,
    rate TEXT NOT NULL,
    multiplier TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    adjustment BIGINT NOT NULL,
    vests_on TEXT,
    explanation_zh TEXT NOT NULL,
    explanation_en TEXT NOT NULL
);
CREATE INDEX statement_lines_statement ON statement_lines(statement_id);
CREATE INDEX statement_lines_key ON statement_lines(line_key);

-- Per-promoter tax treatment (overrides the promoter kind's) and payout account.
ALTER TABLE users ADD COLUMN tax_treatment TEXT;
ALTER TABLE users ADD COLUMN payout_account TEXT NOT NULL DEFAULT '';
