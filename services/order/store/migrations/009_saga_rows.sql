-- The saga table keeps only checkouts in flight and those the sweeper undid (with why): a placed
-- checkout deletes its row in the order's statement, and one its request undid deletes it too.
-- Rows older versions kept for both go.
DELETE FROM place_order_sagas WHERE status = 'DONE' OR (status = 'COMPENSATED' AND error IS NULL);
