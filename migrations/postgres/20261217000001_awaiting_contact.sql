-- The minute's overdue check reads the valid leads nobody has contacted or flagged yet, in id
-- order. Without this index both engines read every assigned lead of all history for it (1.2
-- million leads: 200 ms on SQLite, holding the writer's turn; 110 ms on PostgreSQL); with it,
-- the few leads waiting (0.1-0.2 ms). `status` leads the key as well as the condition: SQLite,
-- which keeps no statistics here, then prefers this index to leads_status_submitted.
CREATE INDEX leads_awaiting_contact ON leads(status, id, assigned_at)
    WHERE status = 'valid' AND first_contact_at IS NULL AND overdue_at IS NULL;
