-- AWS's current model (Concurrent Agreements): the lifecycle event parser refuses EventBridge
-- events sent to another seller account (FOREIGN_ACCOUNT), from another source than
-- aws.agreement-marketplace (FOREIGN_SOURCE), and agreement events it cannot match because
-- MARKETPLACE_PRODUCT_ID is not configured (NOT_CONFIGURED: set it, then re-inject the body).
-- The reasons of V2 stay valid, so rows parked before stay as they are.
ALTER TABLE parked_events DROP CONSTRAINT parked_events_reason_check;
ALTER TABLE parked_events ADD CONSTRAINT parked_events_reason_check CHECK (reason IN
  ('OVERSIZED', 'MALFORMED', 'UNKNOWN_PRODUCT', 'UNKNOWN_ACTION', 'UNSUPPORTED_EVENT',
   'DELIVERY_FAILED', 'FOREIGN_ACCOUNT', 'FOREIGN_SOURCE', 'NOT_CONFIGURED'));
