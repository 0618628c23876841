-- A lead that arrives through a deactivated person's link is credited to their department
-- (the lead policy's choice), with no promoter and so no referral reward.
ALTER TABLE leads ADD COLUMN department_id BIGINT REFERENCES departments(id);
