-- The subscription lifecycle: AWS Marketplace's events are applied by one Temporal workflow per
-- customer; the link's subscription_status (V1) and the organization's plan follow them, and the
-- audit log records every change. What cannot be applied is parked here.

-- Lifecycle messages that could not be applied (malformed, another product, an unknown action,
-- an event type not applied automatically, or refused by Temporal for good). Parked once per
-- queue message, then deleted from the queue: never retried forever, never lost. Support reads
-- them, fixes the cause, and re-injects the body through POST /admin/marketplace/events.
CREATE TABLE parked_events (
  id                   bigserial PRIMARY KEY,
  parked_at            timestamptz NOT NULL DEFAULT now(),
  -- Where it came from: sqs (the lifecycle queue) or admin.
  source               text NOT NULL,
  reason               text NOT NULL,
  detail               text NOT NULL,
  -- The queue's message id: a message redelivered before its deletion is parked only once.
  transport_message_id text,
  product_code         text,
  customer_key         text,
  -- The body as received (NUL characters replaced), cut at 256 KiB.
  body                 text NOT NULL,
  body_truncated       boolean NOT NULL DEFAULT false,
  resolved_at          timestamptz,
  resolution           text,
  CONSTRAINT parked_events_reason_check CHECK (reason IN
    ('OVERSIZED', 'MALFORMED', 'UNKNOWN_PRODUCT', 'UNKNOWN_ACTION', 'UNSUPPORTED_EVENT',
     'DELIVERY_FAILED')),
  CONSTRAINT parked_events_transport_unique UNIQUE (source, transport_message_id)
);
CREATE INDEX parked_events_unresolved ON parked_events (parked_at) WHERE resolved_at IS NULL;

-- Subscription audit rows are written at most once per (subscription, transition): an activity
-- retried after its commit finds its row.
CREATE UNIQUE INDEX audit_log_subscription_once ON audit_log
  (action, product_code, (details ->> 'customerKey'), (details ->> 'sequence'))
  WHERE action = 'SUBSCRIPTION_STATUS_CHANGED';
