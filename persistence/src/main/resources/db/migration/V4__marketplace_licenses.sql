-- The licenses of AWS Marketplace customers. On AWS's current model (Concurrent Agreements) one
-- AWS account may hold several licenses (agreements) for one product, each with its own
-- LicenseArn, start and end; a legacy listing has one implicit license (license_key 'legacy').
--
-- The customer's SubscriptionWorkflow (one per product code + AWS account id) is the only owner
-- of these rows: its saveLicenses activity writes the whole set it holds, tagged with the
-- workflow's change counter (sequence). A write older than the stored one is ignored, so a
-- retried or late activity can never roll a license back. Read by the console, the support view
-- and metering; nobody else writes here.
--
-- Metering (BatchMeterUsage on the current model) names every record by CustomerAWSAccountId
-- and LicenseArn, and may meter a license only from usable_from (AWS refuses records before the
-- license's start) until revoked_at (after License Deprovisioned AWS accepts nothing more; ended_at
-- opens the final hour). It finds a customer's licenses by the primary key's prefix
-- (product_code, aws_account_id), the licenses of an organization's usage by organization_id, and
-- the row an AWS answer (InvalidLicenseException) names by license_arn: hence the two indexes.

CREATE TABLE marketplace_licenses (
  product_code    text NOT NULL,
  aws_account_id  text NOT NULL,
  -- The workflow's License.key: the agreement id, 'arn:<LicenseArn>' while only the ARN is known
  -- (a registration before any agreement event), or 'legacy'.
  license_key     text NOT NULL,
  license_arn     text,
  agreement_id    text,
  status          text NOT NULL,
  -- When AWS says the license became usable (the event's own time, not its arrival).
  usable_from     timestamptz,
  -- The agreement ended: its final metering hour is open.
  ended_at        timestamptz,
  -- The license was deprovisioned: nothing more is metered.
  revoked_at      timestamptz,
  free_trial      boolean,
  -- The (private) offer the agreement was accepted under.
  offer_id        text,
  -- The agreement's intent (NEW, RENEW, REPLACE) and end status (CANCELLED, EXPIRED, TERMINATED,
  -- RENEWED, REPLACED), as AWS sent them.
  intent          text,
  end_reason      text,
  -- The organization linked to the customer when the row was written; null while none is.
  -- No foreign key: like the audit log, the record outlives what it names, and an event may be
  -- stored before any registration made the customer known (so none to marketplace_customers
  -- either).
  organization_id uuid,
  sequence        bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_code, aws_account_id, license_key),
  CONSTRAINT marketplace_licenses_status_check
    CHECK (status IN ('PENDING', 'USABLE', 'ENDING', 'ENDED', 'FAILED'))
);
CREATE INDEX marketplace_licenses_by_organization ON marketplace_licenses (organization_id)
  WHERE organization_id IS NOT NULL;
CREATE INDEX marketplace_licenses_by_arn ON marketplace_licenses (license_arn)
  WHERE license_arn IS NOT NULL;

-- The newest sequence written for each customer's licenses. Saves of one customer serialize on
-- this row, and a stale write is recognized even when the licenses it would bring back were
-- removed by a newer one (e.g. an 'arn:...' license merged into its agreement's).
CREATE TABLE marketplace_license_writes (
  product_code   text NOT NULL,
  aws_account_id text NOT NULL,
  sequence       bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_code, aws_account_id)
);
