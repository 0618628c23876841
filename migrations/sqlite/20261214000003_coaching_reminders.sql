-- A coaching item's owner is reminded once a week while the item is open and its progress was
-- not recorded that week.
ALTER TABLE coaching_items ADD COLUMN reminded_on TEXT;
