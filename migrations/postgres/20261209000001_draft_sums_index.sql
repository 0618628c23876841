-- A draft sums each promoter's open lines (paid or taken back by no approved run yet): the
-- index now holds every column that sum reads, so it is answered from the index alone,
-- without visiting a million ledger rows (and their JSON) per period.
DROP INDEX reward_ledger_open;
CREATE INDEX reward_ledger_open ON reward_ledger(promoter_id, vests_on, amount_fen, settled_fen, cash, revision)
    WHERE amount_fen <> settled_fen;
