-- Metering by license (AWS's current model, Concurrent Agreements).
--
-- Every BatchMeterUsage record names the customer by CustomerAWSAccountId (never the deprecated
-- CustomerIdentifier) and, on the current model, the license it bills: LicenseArn. AWS
-- de-duplicates per account + LicenseArn + dimension + hour, so a record is now unique per
-- (product, account, license, dimension, hour); a legacy record has no LicenseArn (NULL, taken as
-- '' by the unique index). Existing rows are kept as they are (license_arn NULL: they were sent
-- without one).
--
-- Which license an hour's usage goes to is decided once, when the record is created, and stored
-- on it (license_arn, license_key), so every resend is identical. The rule (docs/metering.md,
-- "Record identity"): among the customer's licenses usable at some moment of the hour, the one
-- usable at the hour's start, then the earliest usable_from, then the smallest license_key.

ALTER TABLE metering_records ADD COLUMN license_arn text;
-- The license row (marketplace_licenses.license_key) the record bills; NULL for records created
-- before V7 and for customers without any license row (metered the legacy way).
ALTER TABLE metering_records ADD COLUMN license_key text;

ALTER TABLE metering_records DROP CONSTRAINT metering_records_unique;
CREATE UNIQUE INDEX metering_records_unique
  ON metering_records (product_code, aws_account_id, (coalesce(license_arn, '')), dimension,
                       usage_hour);
CREATE INDEX metering_records_by_license ON metering_records (license_arn, usage_hour)
  WHERE license_arn IS NOT NULL;
-- "Does this customer have a record of this dimension and hour?" (aggregation's anti-joins): the
-- unique index above puts the license expression before dimension and hour, which the planner
-- cannot use for it (an hour of 20,000 records took 15 s instead of under 1 s without this).
CREATE INDEX metering_records_by_customer_hour
  ON metering_records (product_code, aws_account_id, dimension, usage_hour);

-- Reconciliation: AWS answered CustomerNotSubscribed for a record whose license the product
-- holds usable for that hour. The record keeps its final status CUSTOMER_NOT_SUBSCRIBED (AWS did
-- not bill it); this row says that AWS and the product disagree, for support to resolve (the
-- admin view shows it, the sender alerts). One row per record; resolved_at is set by hand.
CREATE TABLE metering_mismatches (
  metering_record_id bigint PRIMARY KEY REFERENCES metering_records (id),
  product_code       text NOT NULL,
  aws_account_id     text NOT NULL,
  license_arn        text,
  license_key        text,
  organization_id    uuid,
  dimension          text NOT NULL,
  usage_hour         timestamptz NOT NULL,
  quantity           bigint NOT NULL,
  -- What AWS answered and what the product held at the time.
  aws_answer         text NOT NULL,
  license_status     text,
  reason             text NOT NULL,
  detected_at        timestamptz NOT NULL DEFAULT now(),
  resolved_at        timestamptz
);
CREATE INDEX metering_mismatches_by_organization
  ON metering_mismatches (organization_id, usage_hour);
CREATE INDEX metering_mismatches_open ON metering_mismatches (detected_at)
  WHERE resolved_at IS NULL;

-- customer_identifier now says only how a record WAS sent (before V7, by the deprecated
-- CustomerIdentifier). Records still pending go out by CustomerAWSAccountId from now on.
UPDATE metering_records SET customer_identifier = NULL WHERE status = 'PENDING';
