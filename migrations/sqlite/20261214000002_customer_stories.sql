-- Customer stories (seed 000): a customer's experience, written by the customer or a staff
-- member with the customer's consent; marketing approves it. An approved story counts in the
-- month it was approved toward activity targets, and may be published to the content library.
CREATE TABLE customer_stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id BIGINT NOT NULL REFERENCES users(id),
    campaign_id BIGINT REFERENCES campaigns(id),
    customer_name TEXT NOT NULL,
    story TEXT NOT NULL,
    consent BIGINT NOT NULL CHECK (consent = 1),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    review_note TEXT,
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    approved_on TEXT,
    content_id BIGINT REFERENCES content_items(id),
    submitted_at BIGINT NOT NULL,
    CHECK ((status = 'approved') = (approved_on IS NOT NULL))
);
CREATE INDEX customer_stories_author ON customer_stories(author_id, approved_on);
CREATE INDEX customer_stories_status ON customer_stories(status, submitted_at);

-- A story's photos (up to three), uploaded images by their hash.
CREATE TABLE customer_story_photos (
    story_id BIGINT NOT NULL REFERENCES customer_stories(id),
    sha256 TEXT NOT NULL REFERENCES media(sha256),
    PRIMARY KEY (story_id, sha256)
);
