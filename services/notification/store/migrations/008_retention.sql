-- Retention (docs/notifications.md "Retention"): the hourly purge finds what is past
-- NOTIFICATION_RETENTION by these, a chunk at a time, instead of scanning whole tables.
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
CREATE INDEX sandbox_outbox_sent ON sandbox_outbox (sent_at);
CREATE INDEX order_facts_ended ON order_facts ((coalesce(completed_at, closed_at)))
  WHERE completed_at IS NOT NULL OR closed_at IS NOT NULL;
