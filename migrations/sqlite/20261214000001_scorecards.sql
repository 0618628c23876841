-- Scorecards (PRODUCT.md §7, seed 003). Who is scored, by which direct manager, in which team,
-- on the figures of which campaigns.
CREATE TABLE scorecard_members (
    member_id BIGINT PRIMARY KEY NOT NULL REFERENCES users(id),
    manager_id BIGINT NOT NULL REFERENCES users(id),
    team TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (member_id <> manager_id)
);
CREATE INDEX scorecard_members_manager ON scorecard_members(manager_id);

CREATE TABLE scorecard_campaigns (
    member_id BIGINT NOT NULL REFERENCES scorecard_members(member_id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    PRIMARY KEY (member_id, campaign_id)
);

-- The calibration committee (考核委员会): named people.
CREATE TABLE scorecard_committee (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users(id)
);

-- The manager's target per member, period (2026-11, 2026-Q4) and indicator, as a decimal:
-- fen for money, a count, or a ratio (0.2 for 20%).
CREATE TABLE scorecard_targets (
    member_id BIGINT NOT NULL REFERENCES users(id),
    period TEXT NOT NULL,
    indicator TEXT NOT NULL CHECK (indicator IN ('sales', 'new_customers', 'conversion', 'repurchase',
        'acquisition_cost', 'campaign_roi', 'content_reach')),
    target TEXT NOT NULL,
    PRIMARY KEY (member_id, period, indicator)
);

-- One scorecard per member and period. figures: the quantitative lines as frozen on the 5th
-- after the period (JSON), NULL while live. score: as the manager's scoring made it (two
-- decimals); calibrated_score: the committee's, with its reason; both are kept.
CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT NOT NULL REFERENCES users(id),
    period TEXT NOT NULL,
    figures TEXT,
    frozen_at BIGINT,
    self_results TEXT,
    self_shortfalls TEXT,
    self_plan TEXT,
    self_at BIGINT,
    score TEXT,
    scored_by BIGINT REFERENCES users(id),
    scored_at BIGINT,
    calibrated_score TEXT,
    calibration_reason TEXT,
    calibrated_by BIGINT REFERENCES users(id),
    calibrated_at BIGINT,
    acknowledge_by TEXT,
    reminded_at BIGINT,
    acknowledged_at BIGINT,
    UNIQUE (member_id, period),
    CHECK (calibrated_score IS NULL OR length(trim(calibration_reason)) > 0)
);

-- The manager's qualitative scores, each with a concrete example (an empty one is refused).
CREATE TABLE scorecard_items (
    scorecard_id BIGINT NOT NULL REFERENCES scorecards(id),
    indicator TEXT NOT NULL CHECK (indicator IN ('innovation', 'collaboration', 'execution')),
    score BIGINT NOT NULL CHECK (score >= 0 AND score <= 100),
    example TEXT NOT NULL CHECK (length(trim(example)) > 0),
    PRIMARY KEY (scorecard_id, indicator)
);

-- Collaboration scored by peers from other departments.
CREATE TABLE scorecard_peer_scores (
    scorecard_id BIGINT NOT NULL REFERENCES scorecards(id),
    peer_id BIGINT NOT NULL REFERENCES users(id),
    score BIGINT NOT NULL CHECK (score >= 0 AND score <= 100),
    example TEXT NOT NULL CHECK (length(trim(example)) > 0),
    PRIMARY KEY (scorecard_id, peer_id)
);

-- A coaching plan (绩效辅导计划), opened once after the second consecutive month below 60.
CREATE TABLE coaching_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id BIGINT NOT NULL REFERENCES users(id),
    opened_for TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_by BIGINT REFERENCES users(id),
    closed_at BIGINT,
    UNIQUE (member_id, opened_for)
);

CREATE TABLE coaching_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES coaching_plans(id),
    item TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    progress TEXT NOT NULL DEFAULT '',
    checked_on TEXT,
    done_at BIGINT
);
