/**
 * Pure arithmetic of the overview (DOMAIN.md 12): amount buckets, average order value, refund rate.
 * Money stays integer minor units (fen) throughout.
 */

/**
 * Lower bounds (fen) of the amount buckets after the first: < 100, 100–300, 300–600, 600–1000, >= 1000 yuan.
 * Each bucket includes its lower bound: 100.00 yuan is in 100–300, 1000.00 yuan in ">1000". The SQL
 * `width_bucket(paid_minor, bounds)` numbers them the same way (0..4).
 */
export const BUCKET_LOWER_BOUNDS_MINOR = [10_000, 30_000, 60_000, 100_000] as const;

/** The bucket labels, in bucket order. */
export const BUCKET_LABELS = ["<100", "100-300", "300-600", "600-1000", ">1000"] as const;
export type BucketLabel = (typeof BUCKET_LABELS)[number];

/** The bucket (0..4) of a child order's paid amount. */
export function bucketOf(paidMinor: number): number {
  let bucket = 0;
  for (const bound of BUCKET_LOWER_BOUNDS_MINOR) if (paidMinor >= bound) bucket += 1;
  return bucket;
}

/** One bucket of the overview, with its bounds in fen (`toMinor` exclusive, null for the last). */
export interface AmountBucket {
  bucket: BucketLabel;
  fromMinor: number;
  toMinor: number | null;
  paidOrders: number;
  gmvMinor: number;
}

/** All five buckets in order, empty ones included. */
export function amountBuckets(
  rows: { bucket: number; paidOrders: number; gmvMinor: number }[],
): AmountBucket[] {
  return BUCKET_LABELS.map((label, i) => {
    const row = rows.find((r) => r.bucket === i);
    return {
      bucket: label,
      fromMinor: i === 0 ? 0 : BUCKET_LOWER_BOUNDS_MINOR[i - 1]!,
      toMinor: BUCKET_LOWER_BOUNDS_MINOR[i] ?? null,
      paidOrders: row?.paidOrders ?? 0,
      gmvMinor: row?.gmvMinor ?? 0,
    };
  });
}

/** 客单价: paid amount / paid orders, rounded down to the fen; 0 without paid orders. */
export function averageOrderValueMinor(gmvMinor: number, paidOrders: number): number {
  if (paidOrders <= 0) return 0;
  return Number(BigInt(gmvMinor) / BigInt(paidOrders));
}

/**
 * Refunds / GMV as a decimal rounded half up to 4 places (0.1235), computed on integers so no float
 * error decides a rounding; 0 when there is no GMV. Refunds of orders paid before the period count
 * in it, so the rate can exceed 1.
 */
export function refundRate(refundMinor: number, gmvMinor: number): number {
  if (gmvMinor <= 0) return 0;
  const scaled = (BigInt(refundMinor) * 20_000n + BigInt(gmvMinor)) / (2n * BigInt(gmvMinor));
  return Number(scaled) / 10_000;
}
