-- Review, assignment and follow-up of leads, with every step in the lead's history.
ALTER TABLE leads ADD COLUMN review_due_at BIGINT;
ALTER TABLE leads ADD COLUMN reviewed_at BIGINT;
ALTER TABLE leads ADD COLUMN reviewed_by BIGINT REFERENCES users(id);
ALTER TABLE leads ADD COLUMN assigned_to BIGINT REFERENCES users(id);
ALTER TABLE leads ADD COLUMN assigned_at BIGINT;
ALTER TABLE leads ADD COLUMN first_contact_at BIGINT;
-- Follow-up stage once valid: contacted, visit_booked, visited, won, lost.
ALTER TABLE leads ADD COLUMN stage TEXT;
-- When the missed first-contact deadline was flagged to the rep and to marketing.
ALTER TABLE leads ADD COLUMN overdue_at BIGINT;
CREATE INDEX leads_status_submitted ON leads(status, submitted_at);
CREATE INDEX leads_assigned ON leads(assigned_to, assigned_at);

CREATE TABLE lead_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id BIGINT NOT NULL REFERENCES leads(id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, at);
