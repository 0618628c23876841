-- Ready for a real organization: the audit log of every change staff make (appended only),
-- and sessions that know when they were last used (idle timeout, "my sessions").
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL, -- a feature's audited action, e.g. run.approved
    subject TEXT NOT NULL, -- what changed, e.g. run #3
    before_value TEXT,
    after_value TEXT,
    ip_hash TEXT -- keyed hash of the actor's address, never the address
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor_at ON audit_log(actor_id, at);

ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN agent TEXT;

-- People arrive from HR's spreadsheets, keyed by employee number or phone.
ALTER TABLE users ADD COLUMN employee_no TEXT;
CREATE UNIQUE INDEX users_employee_no ON users(employee_no);

-- One-time links an administrator issues to set a password (new staff, a forgotten one).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL, -- SHA-256 of the link's token
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_by BIGINT REFERENCES users(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Where a promoter's money goes: payout_account (since the settlement migration) is the card
-- number or the WeChat / Alipay account.
ALTER TABLE users ADD COLUMN payout_method TEXT; -- bank, wechat, alipay
ALTER TABLE users ADD COLUMN payout_holder TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN payout_bank TEXT NOT NULL DEFAULT '';

-- Staff and family bookings (seed 004) earn no referral reward: the family members staff
-- register, and the fact kept with each deal when it is recorded.
CREATE TABLE family_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX family_members_user ON family_members(user_id);
ALTER TABLE deals ADD COLUMN staff_booking BIGINT NOT NULL DEFAULT 0;

-- Settings that change money take effect from a date: each value with the day it starts. A
-- draft uses the value in effect on its period's last day; approved runs are frozen anyway.
CREATE TABLE setting_versions (
    key TEXT NOT NULL,
    effective_from TEXT NOT NULL, -- org-local YYYY-MM-DD
    value TEXT NOT NULL,
    set_by BIGINT REFERENCES users(id),
    set_at BIGINT NOT NULL,
    PRIMARY KEY (key, effective_from)
);

-- Compliance allow-phrases (PRODUCT.md §5) for organizations whose word lists were seeded
-- before there were any (a new organization gets them with its seed); 最后 moves from the
-- extreme words to them.
UPDATE compliance_words SET kind = 'allowed' WHERE word = '最后' AND kind = 'extreme';
INSERT INTO compliance_words (word, kind, created_at)
SELECT p.w, 'allowed', 0 FROM (SELECT '最近' AS w UNION ALL SELECT '最后' AS w UNION ALL SELECT '最后一天' AS w UNION ALL SELECT '最终' AS w UNION ALL SELECT '最初' AS w UNION ALL SELECT '最少' AS w UNION ALL SELECT '第一次' AS w UNION ALL SELECT '第一步' AS w UNION ALL SELECT '第一天' AS w UNION ALL SELECT '第一时间' AS w UNION ALL SELECT '唯一的联系方式' AS w) p
WHERE EXISTS (SELECT 1 FROM compliance_words)
ON CONFLICT (word) DO NOTHING;

-- engine-specific: below this line each engine's own syntax.
-- The database itself refuses to change or remove an audit entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
