-- Campaigns: a shop's (shop_id set, SHOP-funded) or the platform's (shop_id NULL, PLATFORM-funded).
CREATE TABLE campaign (
  campaign_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('THRESHOLD_DISCOUNT', 'PERCENT_OFF', 'FLASH_PRICE')),
  shop_id text,
  sku_ids text[],
  threshold_minor bigint CHECK (threshold_minor >= 0),
  discount_minor bigint CHECK (discount_minor >= 1),
  percent_off integer CHECK (percent_off BETWEEN 1 AND 99),
  flash_price_minor bigint CHECK (flash_price_minor >= 0),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  exclusive boolean NOT NULL DEFAULT false,
  payment_timeout_ms bigint CHECK (payment_timeout_ms > 0),
  deduction_strategy text CHECK (deduction_strategy IN ('RESERVE_ON_ORDER', 'DEDUCT_ON_PAYMENT')),
  priority integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (starts_at < ends_at),
  CHECK (kind <> 'THRESHOLD_DISCOUNT' OR (threshold_minor IS NOT NULL AND discount_minor IS NOT NULL)),
  CHECK (kind <> 'PERCENT_OFF' OR percent_off IS NOT NULL),
  CHECK (kind <> 'FLASH_PRICE' OR (flash_price_minor IS NOT NULL AND cardinality(sku_ids) > 0))
);
-- Pricing reads the campaigns running at a time for the shops of a cart.
CREATE INDEX campaign_window_idx ON campaign (ends_at, starts_at);

CREATE TABLE coupon_template (
  template_id text PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('SHOP', 'PLATFORM')),
  shop_id text,
  shop_ids text[],
  threshold_minor bigint NOT NULL CHECK (threshold_minor >= 0),
  discount_minor bigint NOT NULL CHECK (discount_minor >= 1),
  valid_from timestamptz NOT NULL,
  valid_to timestamptz NOT NULL,
  sku_ids text[],
  categories text[],
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_from < valid_to),
  CHECK ((scope = 'SHOP') = (shop_id IS NOT NULL))
);

-- One coupon per issue. EXPIRED is derived from the template's window, never stored.
-- lock_id stays on a USED coupon so a repeated redeem can tell it was that lock's.
CREATE TABLE coupon (
  coupon_id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  template_id text NOT NULL REFERENCES coupon_template (template_id),
  owner_id text NOT NULL,
  status text NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'LOCKED', 'USED')),
  lock_id text,
  issued_at timestamptz NOT NULL DEFAULT now(),
  locked_at timestamptz,
  used_at timestamptz,
  CHECK ((status = 'AVAILABLE') = (lock_id IS NULL))
);
CREATE INDEX coupon_owner_idx ON coupon (owner_id, seq DESC);
CREATE INDEX coupon_lock_idx ON coupon (lock_id) WHERE lock_id IS NOT NULL;

-- Tiers and their benefit: pay `percent` % of the price on eligible lines (100 = no benefit).
CREATE TABLE member_tier (
  tier text PRIMARY KEY,
  percent integer NOT NULL CHECK (percent BETWEEN 1 AND 100),
  stacks_with_item_promotion boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO member_tier (tier, percent, stacks_with_item_promotion) VALUES
  ('NORMAL', 100, false), ('GOLD', 99, false), ('SUPER', 98, false);

CREATE TABLE member (
  user_id text PRIMARY KEY,
  tier text NOT NULL REFERENCES member_tier (tier),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The balance is the sum of the ledger; the CHECK is the last line of defence behind row locks.
CREATE TABLE coins_account (
  user_id text PRIMARY KEY,
  balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ADJUST: an operator's grant or deduction; HOLD: coins taken by a checkout lock; RELEASE: returned by
-- unlock; PART_RELEASE: one part's coins returned by releasePart while the rest of the lock stays held.
CREATE TABLE coins_entry (
  entry_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL REFERENCES coins_account (user_id),
  delta bigint NOT NULL CHECK (delta <> 0),
  kind text NOT NULL CHECK (kind IN ('ADJUST', 'HOLD', 'RELEASE', 'PART_RELEASE')),
  reason text NOT NULL,
  lock_id text,
  part_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'ADJUST') = (lock_id IS NULL)),
  CHECK ((kind = 'PART_RELEASE') = (part_id IS NOT NULL))
);
-- One HOLD and one RELEASE per lock and one PART_RELEASE per part, whatever the retries: NULLS NOT DISTINCT
-- keeps a lock's single HOLD and RELEASE (part_id NULL) unique; ADJUST entries have no lock and are left out.
CREATE UNIQUE INDEX coins_entry_once_idx ON coins_entry (lock_id, kind, part_id) NULLS NOT DISTINCT
  WHERE lock_id IS NOT NULL;
CREATE INDEX coins_entry_user_idx ON coins_entry (user_id, entry_id);

-- What a checkout still holds (coupons, coins), keyed by the caller's lock id (the parent order number).
-- An unlock of an unknown id leaves a RELEASED row behind, so a lock arriving late holds nothing.
CREATE TABLE promotion_lock (
  lock_id text PRIMARY KEY,
  buyer_id text,
  coupon_ids text[] NOT NULL DEFAULT '{}',
  coins bigint NOT NULL DEFAULT 0 CHECK (coins >= 0),
  status text NOT NULL CHECK (status IN ('HELD', 'RELEASED', 'REDEEMED')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- What each released part of a lock (a child order closed while its siblings stay open) took out of it.
-- The key makes releasePart idempotent; the lock row keeps only what is still held, so its parts plus the
-- row are what was locked.
CREATE TABLE promotion_lock_part (
  lock_id text NOT NULL REFERENCES promotion_lock (lock_id),
  part_id text NOT NULL,
  coupon_ids text[] NOT NULL DEFAULT '{}',
  coins bigint NOT NULL DEFAULT 0 CHECK (coins >= 0),
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lock_id, part_id)
);

-- Shipping per shop; a shop without a row pays the default (1000 fen, free from 9900).
CREATE TABLE shop_shipping (
  shop_id text PRIMARY KEY,
  fee_minor bigint NOT NULL CHECK (fee_minor >= 0),
  free_over_minor bigint CHECK (free_over_minor >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The coins policy: a single row.
CREATE TABLE coins_policy (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  coins_per_yuan integer NOT NULL CHECK (coins_per_yuan >= 1),
  cap_percent integer NOT NULL CHECK (cap_percent BETWEEN 0 AND 100),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO coins_policy (coins_per_yuan, cap_percent) VALUES (100, 50);
