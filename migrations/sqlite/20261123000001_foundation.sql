-- Foundation: settings, departments, users and roles, sessions, sign-in throttling,
-- campaigns, personal links, clicks and leads. Times are Unix milliseconds (UTC);
-- money is integer fen; flags are 0/1 integers (portable across SQLite and PostgreSQL).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name TEXT NOT NULL,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL, -- SHA-256 of the cookie token; the token itself is never stored
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL, -- 'account:<login>' or 'ip:<address>'
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_scope_at ON login_failures(scope, at);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    product TEXT NOT NULL,
    selling_points TEXT NOT NULL, -- JSON array of strings
    landing_copy TEXT NOT NULL,
    demand_tags TEXT NOT NULL, -- JSON array of strings
    starts_on TEXT NOT NULL, -- org-local YYYY-MM-DD
    ends_on TEXT NOT NULL,
    accepts_repurchase BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE promo_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    promoter_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (campaign_id, promoter_id)
);

CREATE TABLE clicks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id BIGINT NOT NULL REFERENCES promo_links(id),
    channel TEXT NOT NULL,
    visitor TEXT NOT NULL,
    ip_hash TEXT NOT NULL,
    ua_class TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX clicks_link_at ON clicks(link_id, at);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    link_id BIGINT REFERENCES promo_links(id),
    promoter_id BIGINT REFERENCES users(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL, -- E.164
    demand_tags TEXT NOT NULL, -- JSON array of strings
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    visitor TEXT,
    ip_hash TEXT,
    submitted_at BIGINT NOT NULL
);
CREATE INDEX leads_phone ON leads(phone);
CREATE INDEX leads_promoter ON leads(promoter_id, submitted_at);
CREATE INDEX leads_submitted ON leads(submitted_at);
