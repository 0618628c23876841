-- A what-if replay (issue 19) reads every deal of each customer paid in a period, in customer
-- order, with its payments, and sums the ledger's cash vesting in the period by promoter. These
-- indexes answer both from the indexes alone: a customer's deals in id order (no sort), a
-- deal's payments with the columns the replay reads, and the ledger's cash lines by vesting
-- date (the sum reads the period's lines, not all of history). The first two replace the
-- one-column indexes they extend.
CREATE INDEX deals_customer_id ON deals(customer_phone, id);
DROP INDEX deals_customer;
CREATE INDEX payments_deal_paid ON payments(deal_id, paid_on, amount_fen, id);
DROP INDEX payments_deal;
CREATE INDEX reward_ledger_cash_vesting ON reward_ledger(vests_on, promoter_id, amount_fen) WHERE cash = 1 AND line_key NOT LIKE 'target:%';
