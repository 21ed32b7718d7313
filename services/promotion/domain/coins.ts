import type { PriceStep } from "../../../shared/contracts/promotion.contract";
import { OmsError, validationFailed } from "../../../shared/errors";
import { percentOf } from "../../../shared/money";
import type { CoinsPolicy } from "./promotion.types";
import { allocateOver, amountOf, type WorkLine } from "./work-line";

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Coins are spent in steps worth whole fen: 1 coin = 1 fen at 100 per yuan; 10 coins = 1 fen at 1000. */
export function coinsStepOf(policy: CoinsPolicy): { coins: number; fen: number } {
  const common = gcd(policy.coinsPerYuan, 100);
  return { coins: policy.coinsPerYuan / common, fen: 100 / common };
}

/**
 * What `coins` are worth in fen. Coins that are not a whole number of fen are refused (VALIDATION_FAILED
 * naming "coins"), never floored: a floored deduction would take coins that bought nothing.
 */
export function coinsValueMinor(coins: number, policy: CoinsPolicy): number {
  const step = coinsStepOf(policy);
  if (coins % step.coins !== 0) {
    throw validationFailed("coins", `coins must be a multiple of ${step.coins}`, { coinsStep: step.coins });
  }
  return (coins / step.coins) * step.fen;
}

/** The most coins usable on `baseMinor` of goods: capPercent % of it (floored), in whole coin steps. */
export function maxCoinsFor(baseMinor: number, policy: CoinsPolicy): number {
  const step = coinsStepOf(policy);
  return Math.floor(percentOf(baseMinor, policy.capPercent, "FLOOR") / step.fen) * step.coins;
}

/**
 * Step 6: coins deduct from every line of every shop (exclusive ones too: coins are a way to pay, not a
 * promotion), capped at capPercent % of the goods payable before coins (shipping excluded); PLATFORM-funded.
 */
export function applyCoins(
  lines: readonly WorkLine[],
  coins: number,
  balance: number,
  policy: CoinsPolicy,
  steps: PriceStep[],
): void {
  if (coins === 0) return;
  const valueMinor = coinsValueMinor(coins, policy);
  if (coins > balance) {
    throw new OmsError("INSUFFICIENT_COINS", `Only ${balance} coins available`, { field: "coins", balance });
  }
  const maxCoins = maxCoinsFor(amountOf(lines), policy);
  if (coins > maxCoins) {
    throw new OmsError("COINS_OVER_CAP", `At most ${maxCoins} coins on this checkout`, {
      field: "coins",
      maxCoins,
    });
  }
  allocateOver(lines, valueMinor, "COINS", "COINS", "PLATFORM");
  steps.push({
    step: "COINS",
    shopId: null,
    sourceId: "COINS",
    amountMinor: valueMinor,
    description: `${coins} coins at ${policy.coinsPerYuan} per yuan`,
  });
}
