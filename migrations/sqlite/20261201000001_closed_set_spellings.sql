-- Closed sets have one spelling everywhere: a reward rule's promoter kind in its stored JSON
-- is spelled as in the promoter_kind column ("employee"), no longer as the Rust variant.
UPDATE reward_rules SET spec = REPLACE(REPLACE(REPLACE(spec,
    '"promoter_kind":"Employee"', '"promoter_kind":"employee"'),
    '"promoter_kind":"Customer"', '"promoter_kind":"customer"'),
    '"promoter_kind":"Partner"', '"promoter_kind":"partner"');
