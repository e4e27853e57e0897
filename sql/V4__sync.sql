-- Membership sync: the inbox works per membership under a lease, spaces carry a sync lease so only
-- one install or reconciliation of a space runs at a time across nodes.

ALTER TABLE webhook_inbox
  ADD COLUMN membership_id text,                 -- from the payload URL; the unit a worker leases
  ADD COLUMN lease_token   text,                 -- who holds locked_until
  ADD COLUMN outcome       text CHECK (outcome IN ('changed', 'unchanged', 'ignored'));

-- Rows are taken per (space, membership); this finds a membership's open rows and live leases.
CREATE INDEX webhook_inbox_open ON webhook_inbox (space_id, membership_id) WHERE processed_at IS NULL;
CREATE INDEX webhook_inbox_processed ON webhook_inbox (processed_at) WHERE processed_at IS NOT NULL;

ALTER TABLE spaces
  ADD COLUMN sync_lease_owner text,
  ADD COLUMN sync_lease_until timestamptz;

-- Members whose last day is known: the sweep removes them once it has passed.
CREATE INDEX members_canceled_to ON members (canceled_to) WHERE status = 'active' AND canceled_to IS NOT NULL;
