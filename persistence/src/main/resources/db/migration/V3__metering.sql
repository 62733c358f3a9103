-- Usage metering to AWS Marketplace (BatchMeterUsage).
--
-- usage_records      what the vendor's product reported: append-only, one row per idempotency key.
-- unmetered_usage    the queue of usage not yet in a metering record. Intake inserts into it in the
--                    same transaction as the usage row; aggregation deletes what it claims in the
--                    same transaction as it creates the metering record, so every usage row ends
--                    up in exactly one metering record.
-- metered_usage      which metering record each usage row was billed in.
-- metering_records   one record per (product, customer, dimension, hour) as sent to AWS, with its
--                    outcome. Its quantity never changes once written: a resend is identical, so
--                    AWS de-duplicates it instead of charging twice.
-- metering_runs      one row per metered hour: status, attempts and counts.

CREATE TABLE usage_records (
  id              bigserial PRIMARY KEY,
  organization_id uuid NOT NULL,
  -- The AWS customer the organization was linked to when the usage arrived.
  product_code    text NOT NULL,
  aws_account_id  text NOT NULL,
  dimension       text NOT NULL,
  quantity        bigint NOT NULL,
  usage_time      timestamptz NOT NULL,
  usage_hour      timestamptz NOT NULL,
  idempotency_key text NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT usage_records_idempotency_unique UNIQUE (organization_id, idempotency_key),
  CONSTRAINT usage_records_quantity_check CHECK (quantity BETWEEN 0 AND 2147483647),
  CONSTRAINT usage_records_hour_check CHECK (usage_hour = date_trunc('hour', usage_time, 'UTC'))
);

-- Billing evidence is never rewritten: refuse UPDATE, DELETE and TRUNCATE outright.
CREATE FUNCTION usage_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usage_records is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER usage_records_no_update_or_delete
  BEFORE UPDATE OR DELETE ON usage_records
  FOR EACH ROW EXECUTE FUNCTION usage_records_append_only();
CREATE TRIGGER usage_records_no_truncate
  BEFORE TRUNCATE ON usage_records
  FOR EACH STATEMENT EXECUTE FUNCTION usage_records_append_only();

CREATE TABLE unmetered_usage (
  usage_record_id bigint PRIMARY KEY REFERENCES usage_records (id),
  organization_id uuid NOT NULL,
  product_code    text NOT NULL,
  aws_account_id  text NOT NULL,
  dimension       text NOT NULL,
  quantity        bigint NOT NULL,
  usage_hour      timestamptz NOT NULL
);
CREATE INDEX unmetered_usage_by_hour ON unmetered_usage (usage_hour);
CREATE INDEX unmetered_usage_by_customer ON unmetered_usage (product_code, aws_account_id);
CREATE INDEX unmetered_usage_by_organization ON unmetered_usage (organization_id);

CREATE TABLE metering_records (
  id                     bigserial PRIMARY KEY,
  product_code           text NOT NULL,
  aws_account_id         text NOT NULL,
  -- As sent: AWS's CustomerIdentifier when AWS gave one, else NULL and the record names
  -- CustomerAWSAccountId. Fixed when the record is created, so every resend is identical.
  customer_identifier    text,
  organization_id        uuid,
  dimension              text NOT NULL,
  -- The record's Timestamp: the start of the usage hour, never the time of sending.
  usage_hour             timestamptz NOT NULL,
  quantity               bigint NOT NULL,
  usage_count            integer NOT NULL DEFAULT 0,
  origin                 text NOT NULL,
  status                 text NOT NULL DEFAULT 'PENDING',
  aws_metering_record_id text,
  failure                text,
  attempts               integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL DEFAULT now(),
  last_attempt_at        timestamptz,
  completed_at           timestamptz,
  CONSTRAINT metering_records_unique UNIQUE (product_code, aws_account_id, dimension, usage_hour),
  CONSTRAINT metering_records_origin_check CHECK (origin IN ('HOURLY', 'FINAL_FLUSH')),
  CONSTRAINT metering_records_status_check CHECK (status IN
    ('PENDING', 'SUCCESS', 'CUSTOMER_NOT_SUBSCRIBED', 'DUPLICATE_RECORD', 'FAILED')),
  CONSTRAINT metering_records_success_check
    CHECK (status <> 'SUCCESS' OR aws_metering_record_id IS NOT NULL),
  CONSTRAINT metering_records_failure_check CHECK ((status = 'FAILED') = (failure IS NOT NULL))
);
CREATE INDEX metering_records_pending_by_hour
  ON metering_records (usage_hour, product_code, dimension, id) WHERE status = 'PENDING';
CREATE INDEX metering_records_pending_by_customer
  ON metering_records (product_code, aws_account_id, usage_hour, dimension, id)
  WHERE status = 'PENDING';
CREATE INDEX metering_records_by_organization ON metering_records (organization_id, usage_hour);
CREATE INDEX metering_records_by_hour ON metering_records (usage_hour, status);

CREATE TABLE metered_usage (
  usage_record_id    bigint PRIMARY KEY REFERENCES usage_records (id),
  metering_record_id bigint NOT NULL REFERENCES metering_records (id)
);
CREATE INDEX metered_usage_by_metering_record ON metered_usage (metering_record_id);

CREATE TABLE metering_runs (
  hour          timestamptz PRIMARY KEY,
  status        text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  records       integer NOT NULL DEFAULT 0,
  succeeded     integer NOT NULL DEFAULT 0,
  not_subscribed integer NOT NULL DEFAULT 0,
  duplicates    integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  calls         integer NOT NULL DEFAULT 0,
  throttles     integer NOT NULL DEFAULT 0,
  last_error    text,
  CONSTRAINT metering_runs_status_check
    CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'EXPIRED')),
  CONSTRAINT metering_runs_hour_check CHECK (hour = date_trunc('hour', hour, 'UTC'))
);
