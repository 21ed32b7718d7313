import type { DeductionStrategy, SkuInfo } from "../../../shared/contracts/inventory.contract";
import type { PriceLineInput } from "../../../shared/contracts/promotion.contract";
import { OmsError, validationFailed } from "../../../shared/errors";
import type { SourceChannel } from "../../../shared/order-number/order-number";
import type { Address, Invoice } from "./order";

/** A buyer's checkout as the API receives it, after schema validation. */
export interface CheckoutCommand {
  buyerId: string;
  lines: { skuId: string; quantity: number }[];
  address: Address;
  couponIds: string[];
  coins: number;
  sourceChannel: SourceChannel;
  orderType: "STANDARD";
  invoice: Invoice | null;
  buyerNote: string | null;
  now: Date;
  requestId: string | null;
}

/** The line id of the i-th cart line: stable, short, unique within the checkout. */
export const lineIdOf = (index: number) => `L${index + 1}`;

/** Rules the schema cannot state: one line per SKU, no coupon twice, a company invoice has a tax number. */
export function assertCheckoutRules(cmd: Pick<CheckoutCommand, "lines" | "couponIds" | "invoice">): void {
  const seen = new Set<string>();
  cmd.lines.forEach((line, i) => {
    if (seen.has(line.skuId))
      throw validationFailed(`lines[${i}].skuId`, "Each SKU may appear once", { skuId: line.skuId });
    seen.add(line.skuId);
  });
  if (new Set(cmd.couponIds).size !== cmd.couponIds.length)
    throw validationFailed("couponIds", "A coupon is listed twice");
  if (cmd.invoice?.type === "COMPANY" && !cmd.invoice.taxNumber) {
    throw validationFailed("invoice.taxNumber", "A company invoice needs a tax number");
  }
}

/** Checks each line against the SKU master and returns the pricing input; errors name the SKU and field. */
export function pricingLines(lines: CheckoutCommand["lines"], skus: Map<string, SkuInfo>): PriceLineInput[] {
  return lines.map((line, i) => {
    const field = `lines[${i}].skuId`;
    const sku = skus.get(line.skuId);
    if (!sku)
      throw new OmsError("SKU_NOT_FOUND", `SKU ${line.skuId} does not exist`, { skuId: line.skuId, field });
    if (!sku.onSale)
      throw new OmsError("SKU_OFF_SALE", `SKU ${line.skuId} is not on sale`, { skuId: line.skuId, field });
    if (sku.purchaseLimitPerUser !== null && line.quantity > sku.purchaseLimitPerUser) {
      throw new OmsError(
        "PURCHASE_LIMIT_EXCEEDED",
        `At most ${sku.purchaseLimitPerUser} of ${line.skuId} per buyer`,
        {
          skuId: line.skuId,
          limit: sku.purchaseLimitPerUser,
          field: `lines[${i}].quantity`,
        },
      );
    }
    return {
      lineId: lineIdOf(i),
      skuId: sku.skuId,
      shopId: sku.shopId,
      category: sku.category,
      unitPriceMinor: sku.priceMinor,
      quantity: line.quantity,
      deductionStrategy: sku.deductionStrategy as DeductionStrategy,
    };
  });
}
