-- Clicks are counted by the click writer, a batch at a time (dashboard::store::counted_clicks,
-- through promotion's counting hook, in the batch's transaction): one upsert per day, campaign,
-- channel, department and promoter kind, and one per promoter's month, instead of a trigger's
-- two lookups and two upserts per click. On SQLite that trigger ran inside the writer behind
-- the redirect. The click writer is the only path that stores clicks; a recount still rebuilds
-- the counters from them.
-- engine-specific: below this line each engine's own syntax.
DROP TRIGGER clicks_counted;
