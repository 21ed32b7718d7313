-- The payment that paid each child order, so a second payment of the same checkout is recognised and refunded.
ALTER TABLE orders ADD COLUMN payment_no text;
