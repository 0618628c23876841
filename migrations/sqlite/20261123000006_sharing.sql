-- Sharing: campaigns marketing drafts and publishes (after the compliance check), their
-- pilot scope and boost windows; the compliance word lists; unique visitors per day; shares.
ALTER TABLE campaigns ADD COLUMN published_at BIGINT;
-- JSON arrays; empty means every promoter kind / every department.
ALTER TABLE campaigns ADD COLUMN promoter_roles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE campaigns ADD COLUMN department_ids TEXT NOT NULL DEFAULT '[]';
-- JSON array of {starts_on, ends_on, multiplier}.
ALTER TABLE campaigns ADD COLUMN boosts TEXT NOT NULL DEFAULT '[]';
-- Campaigns made before publishing existed were live.
UPDATE campaigns SET published_at = created_at;

CREATE TABLE compliance_words (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    word TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL, -- extreme, sensitive
    created_at BIGINT NOT NULL
);

-- First visit of a visitor to a link on an org-local day; bots never get a row.
CREATE TABLE link_visitors (
    link_id BIGINT NOT NULL REFERENCES promo_links(id),
    day TEXT NOT NULL, -- org-local YYYY-MM-DD
    visitor TEXT NOT NULL,
    PRIMARY KEY (link_id, day, visitor)
);
ALTER TABLE clicks ADD COLUMN unique_visit BIGINT NOT NULL DEFAULT 0;

CREATE TABLE shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id BIGINT NOT NULL REFERENCES promo_links(id),
    kind TEXT NOT NULL, -- poster, link, content
    at BIGINT NOT NULL
);
CREATE INDEX shares_link_at ON shares(link_id, at);
