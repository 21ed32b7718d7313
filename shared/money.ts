import { validationFailed } from "./errors";

/** An amount in integer minor units (fen); never a float. */
export type Minor = number;

/** How a fractional amount of fen becomes a whole one. */
export type RoundingMode = "FLOOR" | "CEIL" | "HALF_UP" | "HALF_EVEN";

/** Options of `assertMinor`: negatives are refused unless the amount is a signed delta. */
export interface MinorOptions {
  readonly allowNegative?: boolean;
}

/** Throws VALIDATION_FAILED naming `field` unless `value` is a safe integer (non-negative unless allowed). */
export function assertMinor(
  value: unknown,
  field: string,
  options: MinorOptions = {},
): asserts value is Minor {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw validationFailed(field, `${field} must be a safe integer amount of minor units`, { value });
  }
  if (value < 0 && !options.allowNegative) {
    throw validationFailed(field, `${field} must not be negative`, { value });
  }
}

/** Sums amounts exactly; each may be a signed delta, and the total must stay a safe integer. */
export function sumMinor(values: readonly Minor[], field = "amounts"): Minor {
  let total = 0n;
  values.forEach((value, index) => {
    assertMinor(value, `${field}[${index}]`, { allowNegative: true });
    total += BigInt(value);
  });
  return toSafeMinor(total, field);
}

/** `percent` % of a non-negative amount (integer percent, e.g. 98 for a 9.8x member price), rounded as told. */
export function percentOf(amount: Minor, percent: number, rounding: RoundingMode): Minor {
  assertMinor(amount, "amount");
  if (!Number.isSafeInteger(percent) || percent < 0) {
    throw validationFailed("percent", "percent must be a non-negative integer", { percent });
  }
  return toSafeMinor(divideRounded(BigInt(amount) * BigInt(percent), 100n, rounding), "amount");
}

/**
 * Splits `total` into parts proportional to `weights` by the largest-remainder method: the parts sum
 * exactly to `total`, each is the floor or ceiling of its exact share, and leftover fen go to the largest
 * remainders, lower index first on ties. BigInt keeps amount x weight exact far past 2^53.
 * All-zero (or no) weights with a positive total throw: spreading a discount over lines that earned none
 * would push a zero-amount line below zero, so it is the caller's bug, not something to paper over.
 */
export function allocate(total: Minor, weights: readonly number[]): Minor[] {
  assertMinor(total, "total");
  weights.forEach((weight, index) => {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw validationFailed(`weights[${index}]`, "weights must be non-negative safe integers", { weight });
    }
  });
  const weightSum = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
  if (weightSum === 0n) {
    if (total === 0) return weights.map(() => 0);
    throw validationFailed("weights", "cannot allocate a positive total over zero weights", { total });
  }
  const bigTotal = BigInt(total);
  const floors: bigint[] = [];
  const remainders: bigint[] = [];
  for (const weight of weights) {
    const product = bigTotal * BigInt(weight);
    floors.push(product / weightSum);
    remainders.push(product % weightSum);
  }
  let leftover = bigTotal - floors.reduce((sum, part) => sum + part, 0n);
  // Array.prototype.sort is stable, so equal remainders keep index order.
  const byRemainder = remainders
    .map((remainder, index) => ({ remainder, index }))
    .sort((a, b) => (a.remainder === b.remainder ? 0 : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    floors[index] = (floors[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return floors.map(Number);
}

function divideRounded(numerator: bigint, denominator: bigint, rounding: RoundingMode): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  switch (rounding) {
    case "FLOOR":
      return quotient;
    case "CEIL":
      return quotient + 1n;
    case "HALF_UP":
      return remainder * 2n >= denominator ? quotient + 1n : quotient;
    case "HALF_EVEN": {
      const twice = remainder * 2n;
      if (twice !== denominator) return twice > denominator ? quotient + 1n : quotient;
      return quotient % 2n === 0n ? quotient : quotient + 1n;
    }
  }
}

function toSafeMinor(value: bigint, field: string): Minor {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw validationFailed(field, `${field} exceeds the safe integer range`, { value: value.toString() });
  }
  return Number(value);
}
