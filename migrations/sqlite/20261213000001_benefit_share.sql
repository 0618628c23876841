-- A first-order benefit can be a share of the order up to a cap (percent: the rate as a
-- decimal, NULL for a fixed amount; amount_fen is then the cap), and checkout records what it
-- took off the first order (discount_fen).
ALTER TABLE coupons ADD COLUMN percent TEXT;
ALTER TABLE coupons ADD COLUMN discount_fen BIGINT;
