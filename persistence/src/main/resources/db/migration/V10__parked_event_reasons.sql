-- Authentic AWS events: the lifecycle event parser refuses messages without an AWS signature
-- while MARKETPLACE_ACCEPT_UNSIGNED_EVENTS is off (UNSIGNED), SNS signatures that do not verify
-- (BAD_SIGNATURE), signed notifications of a topic not in MARKETPLACE_SNS_TOPIC_ARNS
-- (FOREIGN_TOPIC), and event times more than a few minutes in the future (FUTURE_TIME).
-- The reasons of V5 stay valid, so rows parked before stay as they are.
ALTER TABLE parked_events DROP CONSTRAINT parked_events_reason_check;
ALTER TABLE parked_events ADD CONSTRAINT parked_events_reason_check CHECK (reason IN
  ('OVERSIZED', 'MALFORMED', 'UNKNOWN_PRODUCT', 'UNKNOWN_ACTION', 'UNSUPPORTED_EVENT',
   'DELIVERY_FAILED', 'FOREIGN_ACCOUNT', 'FOREIGN_SOURCE', 'NOT_CONFIGURED',
   'UNSIGNED', 'BAD_SIGNATURE', 'FOREIGN_TOPIC', 'FUTURE_TIME'));
