-- Stock after payment: SHIP (units leave the warehouse), UNRESERVE (paid units given back before shipping),
-- RESTOCK (returned goods received).
ALTER TABLE movements DROP CONSTRAINT movements_kind_check;
ALTER TABLE movements ADD CONSTRAINT movements_kind_check
  CHECK (kind IN ('RESERVE', 'CHECK', 'RELEASE', 'DEDUCT', 'SHIP', 'UNRESERVE', 'RESTOCK', 'ADJUST'));
