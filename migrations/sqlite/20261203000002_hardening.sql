-- Sign-in throttling as one counter per scope, claimed atomically (the old table was counted
-- and then inserted into, which concurrent attempts could race, and it kept raw addresses
-- forever). Scopes are keyed hashes ('account:<hash>', 'ip:<hash>'); rows expire.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    scope TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL, -- attempts in the window, each counted before its password is checked
    window_start BIGINT NOT NULL,
    prev_at BIGINT NOT NULL, -- the attempt before the latest
    last_at BIGINT NOT NULL
);
CREATE INDEX login_throttle_last_at ON login_throttle(last_at);
