-- Sign-in throttling as one counter per scope, claimed atomically (the old table was counted
-- and then inserted into, which concurrent attempts could race, and it kept raw addresses
-- forever). Scopes are keyed hashes ('account:<hash>', 'ip:<hash>'); rows expire.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    scope TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL, -- attempts in the window, each counted before its password is checked
    window_start BIGINT NOT NULL,
    prev_at BIGINT NOT NULL, -- the attempt before the latest
    last_at BIGINT NOT NULL
);
CREATE INDEX login_throttle_last_at ON login_throttle(last_at);

-- The referral form's thank-you message: once per phone per org-local day, and each
-- campaign's daily budget (marketing is told once when it is reached).
ALTER TABLE campaigns ADD COLUMN sms_budget BIGINT NOT NULL DEFAULT 1000;
CREATE TABLE thanked_phones (
    phone TEXT NOT NULL,
    day TEXT NOT NULL, -- org-local YYYY-MM-DD
    PRIMARY KEY (phone, day)
);
CREATE INDEX thanked_phones_day ON thanked_phones(day);
CREATE TABLE message_budgets (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    day TEXT NOT NULL,
    sent BIGINT NOT NULL,
    alerted BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, day)
);

-- One-time codes sent to a phone to prove it is the sender's (code redemption).
CREATE TABLE phone_checks (
    token_hash TEXT PRIMARY KEY NOT NULL, -- SHA-256 of the handle the browser holds
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    payload TEXT NOT NULL, -- what the check, once passed, goes on to do (JSON)
    code_hash TEXT NOT NULL,
    tries BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX phone_checks_expires ON phone_checks(expires_at);

-- What activity rewards count, written as the facts arrive: a visitor once per link, day and
-- client address among people (not bots, not the promoter's own visits); a share once per
-- link, day and item. Raw clicks and shares stay as they are for the dashboard.
ALTER TABLE clicks ADD COLUMN own BIGINT NOT NULL DEFAULT 0;
CREATE TABLE counted_visitors (
    link_id BIGINT NOT NULL REFERENCES promo_links(id),
    day TEXT NOT NULL,
    ip_hash TEXT NOT NULL,
    PRIMARY KEY (link_id, day, ip_hash)
);
CREATE TABLE counted_shares (
    link_id BIGINT NOT NULL REFERENCES promo_links(id),
    day TEXT NOT NULL,
    item TEXT NOT NULL, -- content:<id>, poster or link
    PRIMARY KEY (link_id, day, item)
);
