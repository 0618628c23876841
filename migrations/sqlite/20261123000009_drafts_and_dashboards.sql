-- A settlement draft reads the deals of the customers its promoters referred or sold to,
-- a few hundred promoters at a time. Statement lines are found by statement, never by key.
CREATE INDEX deals_sales_rep ON deals(sales_rep_id);
DROP INDEX statement_lines_key;

-- Dashboards count clicks and deals by period.
CREATE INDEX clicks_at ON clicks(at);
CREATE INDEX deals_signed_on ON deals(signed_on);

-- Monthly department targets (部门目标), set by marketing.
CREATE TABLE department_targets (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    month TEXT NOT NULL, -- org-local YYYY-MM
    metric TEXT NOT NULL, -- shares_per_employee, valid_leads, deals
    target BIGINT NOT NULL,
    set_by BIGINT REFERENCES users(id),
    set_at BIGINT NOT NULL,
    PRIMARY KEY (department_id, month, metric)
);
