-- Subscription workflows started before licenses were keyed by the legacy CustomerIdentifier when
-- the product had one; since, every subscription is keyed by (product code, AWS account id). The
-- worker asks each customer's old workflow once to migrate (hand its state to the account's
-- workflow) and records here that it did, so a restart does not ask again.
ALTER TABLE marketplace_customers ADD COLUMN subscription_migrated_at timestamptz;
