-- Retention (docs/notifications.md "Retention"): the hourly purge finds what is past
-- NOTIFICATION_RETENTION by these, a chunk at a time, instead of scanning whole tables. Rows are
-- appended in time order, so BRIN indexes serve: a few pages, next to nothing per insert.
CREATE INDEX messages_created ON messages USING brin (created_at);
CREATE INDEX deliveries_created ON deliveries USING brin (created_at);
CREATE INDEX sandbox_outbox_sent ON sandbox_outbox USING brin (sent_at);
-- Only ended orders, each entering once (when it completes or closes).
CREATE INDEX order_facts_ended ON order_facts ((coalesce(completed_at, closed_at)))
  WHERE completed_at IS NOT NULL OR closed_at IS NOT NULL;
