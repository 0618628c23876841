-- Screening at submit: blacklists, the per-phone protection claim, and why a lead got its status.
CREATE TABLE blacklist (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, -- 'phone' (E.164), 'device' (visitor id) or 'ip' (keyed hash)
    value TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (kind, value)
);

-- One protecting lead per phone while its window runs (客户保护期): the row is claimed in the
-- submit transaction and can only be taken over once it has expired, so concurrent
-- submissions of one phone cannot both become protecting leads.
CREATE TABLE lead_protections (
    phone TEXT PRIMARY KEY NOT NULL,
    lead_id BIGINT NOT NULL REFERENCES leads(id),
    protected_until BIGINT NOT NULL
);

ALTER TABLE leads ADD COLUMN duplicate_of BIGINT REFERENCES leads(id);
ALTER TABLE leads ADD COLUMN flag TEXT;
CREATE INDEX leads_visitor_day ON leads(visitor, submitted_at);
CREATE INDEX leads_ip_day ON leads(ip_hash, submitted_at);

-- Fixed-window counters for request bursts, shared by every app instance.
CREATE TABLE rate_limits (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
