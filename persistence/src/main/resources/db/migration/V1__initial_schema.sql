-- Users, organizations and their link to AWS Marketplace customers, the notification outbox
-- and the audit log. Enumerations are text with named CHECK constraints, so a later migration
-- can widen one (e.g. another billing provider) by replacing the constraint.

CREATE TABLE users (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text,
  display_name text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per sign-in method (OIDC issuer + subject); a user may have several.
CREATE TABLE user_identities (
  issuer     text NOT NULL,
  subject    text NOT NULL,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_by_user ON user_identities (user_id);

CREATE TABLE organizations (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL,
  plan                  text NOT NULL DEFAULT 'STARTER',
  billing_provider      text NOT NULL DEFAULT 'NONE',
  -- Set when an onboarding created the organization: a retried connect finds it again
  -- instead of creating a second one.
  created_by_onboarding text UNIQUE,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organizations_plan_check CHECK (plan IN ('STARTER', 'STANDARD')),
  CONSTRAINT organizations_billing_provider_check
    CHECK (billing_provider IN ('NONE', 'AWS_MARKETPLACE'))
);

CREATE TABLE memberships (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id),
  CONSTRAINT memberships_role_check CHECK (role IN ('OWNER', 'MEMBER'))
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- Every AWS customer we have seen, keyed as AWS recommends: (ProductCode, CustomerAWSAccountId).
CREATE TABLE marketplace_customers (
  product_code        text NOT NULL,
  aws_account_id      text NOT NULL,
  -- AWS's legacy CustomerIdentifier; absent for products listed under concurrent agreements.
  customer_identifier text,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_code, aws_account_id),
  CONSTRAINT marketplace_customers_identifier_unique UNIQUE (product_code, customer_identifier)
);

-- One AWS customer <-> at most one organization: the primary key holds one direction, the
-- unique organization_id the other, so even two racing transactions cannot break the rule.
CREATE TABLE marketplace_links (
  product_code         text NOT NULL,
  aws_account_id       text NOT NULL,
  organization_id      uuid NOT NULL REFERENCES organizations (id),
  linked_by_onboarding text,
  linked_at            timestamptz NOT NULL DEFAULT now(),
  subscription_status  text NOT NULL DEFAULT 'PENDING',
  status_changed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_code, aws_account_id),
  CONSTRAINT marketplace_links_customer_fk FOREIGN KEY (product_code, aws_account_id)
    REFERENCES marketplace_customers (product_code, aws_account_id),
  CONSTRAINT marketplace_links_organization_unique UNIQUE (organization_id),
  CONSTRAINT marketplace_links_status_check CHECK (subscription_status IN
    ('PENDING', 'ACTIVE', 'UNSUBSCRIBE_PENDING', 'UNSUBSCRIBED', 'FAILED'))
);

-- Notifications are written in the business transaction (or by an idempotent activity) and
-- delivered later by the dispatcher, so a mail outage never fails an onboarding.
CREATE TABLE notification_outbox (
  id                bigserial PRIMARY KEY,
  dedupe_key        text NOT NULL UNIQUE,
  kind              text NOT NULL,
  recipient_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  organization_id   uuid REFERENCES organizations (id) ON DELETE SET NULL,
  -- No e-mail address here: the dispatcher looks the recipient up at send time.
  payload           jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now(),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  sent_at           timestamptz,
  -- Set when the dispatcher gave up; last_error says why.
  failed_at         timestamptz,
  last_error        text
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at)
  WHERE sent_at IS NULL AND failed_at IS NULL;

-- Append-only. No foreign keys, so the record outlives what it describes.
CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  actor           text NOT NULL,
  action          text NOT NULL,
  organization_id uuid,
  product_code    text,
  aws_account_id  text,
  details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_organization ON audit_log (organization_id, at);
CREATE INDEX audit_log_by_customer ON audit_log (product_code, aws_account_id, at);
