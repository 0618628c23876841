-- Outgoing messages (thank-you SMS, lead assigned, overdue …), written in the same transaction
-- as the event that causes them and delivered by the dispatcher with retries.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL, -- E.164 phone or user:<id>
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued', -- queued, sent, failed
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
