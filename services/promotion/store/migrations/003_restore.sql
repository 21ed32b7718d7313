-- RESTORE: coins a refund gave back from a REDEEMED lock, one entry per restore (part_id = its part).
ALTER TABLE coins_entry
  DROP CONSTRAINT coins_entry_kind_check,
  ADD CONSTRAINT coins_entry_kind_check
    CHECK (kind IN ('ADJUST', 'HOLD', 'RELEASE', 'PART_RELEASE', 'RESTORE')),
  DROP CONSTRAINT coins_entry_check1,
  ADD CONSTRAINT coins_entry_part_check CHECK ((kind IN ('PART_RELEASE', 'RESTORE')) = (part_id IS NOT NULL));

-- A REDEEMED lock keeps the coins it took; restored_coins counts what refunds gave back, never more.
ALTER TABLE promotion_lock
  ADD COLUMN restored_coins bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT promotion_lock_restored_check CHECK (restored_coins BETWEEN 0 AND coins);

-- What each restore (one after-sales refund) gave back from a REDEEMED lock; the key makes restore idempotent.
-- expired_coupon_ids: coupons asked for but past their window, so they stayed USED.
CREATE TABLE promotion_lock_restore (
  lock_id text NOT NULL REFERENCES promotion_lock (lock_id),
  part_id text NOT NULL,
  coupon_ids text[] NOT NULL DEFAULT '{}',
  expired_coupon_ids text[] NOT NULL DEFAULT '{}',
  coins bigint NOT NULL DEFAULT 0 CHECK (coins >= 0),
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lock_id, part_id)
);
