-- A rule version is published with a note saying why, shown in the rules' history beside who
-- published it and when (versions from before have none). When the organization asks for a
-- second person (setting rules_four_eyes), a version is first proposed, and published by
-- another marketing user: the version then names both.
ALTER TABLE reward_rules ADD COLUMN note TEXT;
ALTER TABLE reward_rules ADD COLUMN proposed_by BIGINT REFERENCES users(id);
CREATE TABLE rule_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id BIGINT NOT NULL,
    spec TEXT NOT NULL, -- the rule as proposed (JSON), checked as it was proposed
    note TEXT NOT NULL,
    proposed_by BIGINT NOT NULL REFERENCES users(id),
    proposed_at BIGINT NOT NULL,
    -- Set once: published (then the version) or declined, by someone other than the proposer.
    outcome TEXT CHECK (outcome IN ('published', 'declined')),
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    version BIGINT
);
-- One open proposal per rule: a second one would race the first for the next version.
CREATE UNIQUE INDEX rule_proposals_open ON rule_proposals(rule_id) WHERE outcome IS NULL;
