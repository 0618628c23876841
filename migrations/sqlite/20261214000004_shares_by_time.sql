-- Shares by time: the hero board reads the month's shares per promoter for the participation
-- score on every load, which must not scan every share ever made.
CREATE INDEX shares_at ON shares(at);
