-- Uploaded images (campaign artwork, content-library pictures), kept in the database so that
-- every app instance serves them; addressed by the SHA-256 of their bytes.
CREATE TABLE media (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL, -- image/png, image/jpeg, image/webp
    bytes BLOB NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
ALTER TABLE campaigns ADD COLUMN artwork TEXT REFERENCES media(sha256);

-- The content library: share-ready items marketing schedules (default three a week).
CREATE TABLE content_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT REFERENCES campaigns(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    image TEXT REFERENCES media(sha256),
    publish_on TEXT NOT NULL, -- org-local YYYY-MM-DD
    published_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX content_items_publish_on ON content_items(publish_on);
ALTER TABLE shares ADD COLUMN content_id BIGINT REFERENCES content_items(id);
