-- Assignment of valid leads: each campaign's sales team (round-robin among them; all active
-- reps when a campaign has none) and its demand-tag rules (a tag goes to a named rep).
CREATE TABLE campaign_sales_team (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (campaign_id, user_id)
);

CREATE TABLE assignment_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    demand_tag TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    -- One rep per tag and campaign: a second rule for the same tag would never apply.
    UNIQUE (campaign_id, demand_tag)
);

-- How a lead came to its rep: rule, round_robin or reassigned.
ALTER TABLE leads ADD COLUMN assigned_by TEXT;
