-- A campaign may set how long its orders wait before auto-confirming receipt (festival campaigns: longer).
ALTER TABLE campaign ADD COLUMN auto_confirm_ms bigint;
