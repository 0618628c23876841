-- A what-if replay (issue 19) reads every deal and payment of the customers paid in a period,
-- a customer at a time. Reaching a deal's payments by the deal's id cost a million index
-- probes for a million deals, and finding the customers paid in the period as many again.
-- Payments kept by customer, in the order of deals_customer_id, let PostgreSQL merge both in
-- one ordered pass; the customers paid in a period are a range of paid_on (SQLite lists them
-- from it instead of from every payment of history). Each row is written in the payment's own
-- transaction (the triggers below), and payments are facts: a refund is a negative payment,
-- never a change to one.
CREATE TABLE customer_payments (
    payment_id BIGINT PRIMARY KEY NOT NULL REFERENCES payments(id),
    customer TEXT NOT NULL, -- the deal's customer_phone
    deal_id BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL
);
CREATE INDEX customer_payments_read ON customer_payments(customer, deal_id, payment_id, paid_on, amount_fen);
CREATE INDEX customer_payments_paid ON customer_payments(paid_on, customer);
INSERT INTO customer_payments (payment_id, customer, deal_id, paid_on, amount_fen)
SELECT p.id, d.customer_phone, p.deal_id, p.paid_on, p.amount_fen FROM payments p JOIN deals d ON d.id = p.deal_id;

-- engine-specific: the triggers that keep it, and payments appended only.
CREATE TRIGGER payments_by_customer AFTER INSERT ON payments BEGIN
    INSERT INTO customer_payments (payment_id, customer, deal_id, paid_on, amount_fen)
    SELECT NEW.id, customer_phone, NEW.deal_id, NEW.paid_on, NEW.amount_fen FROM deals WHERE id = NEW.deal_id;
END;
CREATE TRIGGER deals_customer_payments AFTER UPDATE OF customer_phone ON deals
WHEN OLD.customer_phone <> NEW.customer_phone BEGIN
    UPDATE customer_payments SET customer = NEW.customer_phone WHERE payment_id IN (SELECT id FROM payments WHERE deal_id = NEW.id);
END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'payments are append-only: a refund is a negative payment');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'payments are append-only: a refund is a negative payment');
END;
