-- Contract listings (MARKETPLACE_PRICING contract or contract-with-consumption): what each customer
-- is entitled to, per license, as AWS's Entitlement Service (GetEntitlements) last answered. One
-- row per (customer, license, dimension).
--
-- Written only by the EntitlementActivities.refreshEntitlements activity, which the customer's
-- SubscriptionWorkflow calls (one at a time) on entitlement-updated (SNS), on License Updated
-- (EventBridge) and when an expiry is due: each read replaces every row of its license in one
-- transaction. Read by the console's billing page and the support view. Whether a license ended
-- because its entitlements expired is the workflow's (marketplace_licenses), not this table's.

CREATE TABLE marketplace_entitlements (
  product_code    text NOT NULL,
  aws_account_id  text NOT NULL,
  -- The LicenseArn the read was filtered by (filter LICENSE_ARN), or 'account' when it read the
  -- whole account (a legacy listing's implicit license).
  license_key     text NOT NULL,
  license_arn     text,
  dimension       text NOT NULL,
  -- Which of AWS's EntitlementValue members was set: INTEGER, DOUBLE, BOOLEAN, STRING (null: none).
  value_type      text,
  -- The value as text (e.g. '10', '2.5', 'true', 'enterprise').
  value           text,
  -- AWS's ExpirationDate: the contract's end or renewal date; null when AWS gave none.
  expires_at      timestamptz,
  read_at         timestamptz NOT NULL,
  PRIMARY KEY (product_code, aws_account_id, license_key, dimension),
  CONSTRAINT marketplace_entitlements_value_type_check
    CHECK (value_type IS NULL OR value_type IN ('INTEGER', 'DOUBLE', 'BOOLEAN', 'STRING'))
);
CREATE INDEX marketplace_entitlements_by_arn ON marketplace_entitlements (license_arn)
  WHERE license_arn IS NOT NULL;
