import { OmsError, validationFailed } from "../../../shared/errors";
import type { CouponStatus } from "./promotion.types";

/** A lock as restore judges it: what it redeemed and what refunds gave back so far. */
export interface RestorableLock {
  lockId: string;
  status: "HELD" | "RELEASED" | "REDEEMED";
  /** The coupons the lock used (redeemed). */
  couponIds: readonly string[];
  /** The coins the lock took. */
  coins: number;
  restoredCoins: number;
}

/** One of the asked coupons as it stands now. */
export interface RestoringCoupon {
  couponId: string;
  status: CouponStatus;
  lockId: string | null;
  validTo: Date;
}

/** What one restore gives back. */
export interface RestoreOutcome {
  couponIds: string[];
  expiredCouponIds: string[];
  coins: number;
}

/**
 * What a refund gives back from a redeemed lock: the asked coupons still USED by it go back, except those past
 * their window, which stay USED and are listed as expired; a coupon restored before is skipped. Refused: a lock
 * not REDEEMED (INVALID_TRANSITION), a coupon the lock did not use (VALIDATION_FAILED couponIds), more coins
 * than the lock took minus earlier restores (VALIDATION_FAILED coins, with what is restorable).
 */
export function restoreOutcome(
  lock: RestorableLock,
  asked: { couponIds: readonly string[]; coins: number },
  coupons: readonly RestoringCoupon[],
  now: Date,
): RestoreOutcome {
  if (lock.status !== "REDEEMED") {
    throw new OmsError("INVALID_TRANSITION", `Lock ${lock.lockId} is ${lock.status}`, {
      lockId: lock.lockId,
      state: lock.status,
      event: "restore",
    });
  }
  const foreign = asked.couponIds.find((couponId) => !lock.couponIds.includes(couponId));
  if (foreign !== undefined) {
    throw validationFailed("couponIds", `Coupon ${foreign} was not used by lock ${lock.lockId}`, {
      couponId: foreign,
    });
  }
  const restorable = lock.coins - lock.restoredCoins;
  if (asked.coins > restorable) {
    throw validationFailed("coins", `At most ${restorable} coins can still be restored`, { restorable });
  }
  const byId = new Map(coupons.map((coupon) => [coupon.couponId, coupon]));
  const stillUsed = asked.couponIds.filter((couponId) => {
    const coupon = byId.get(couponId);
    return coupon?.status === "USED" && coupon.lockId === lock.lockId;
  });
  const expired = (couponId: string) => now.getTime() >= (byId.get(couponId)?.validTo.getTime() ?? 0);
  return {
    couponIds: stillUsed.filter((couponId) => !expired(couponId)),
    expiredCouponIds: stillUsed.filter(expired),
    coins: asked.coins,
  };
}
