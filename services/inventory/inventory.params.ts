import type { ActionParams } from "moleculer";

/** Ids become parts of Redis keys: no `:`, `*` or spaces. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_MINOR = 1_000_000_000_000_000;
const STRATEGIES = ["RESERVE_ON_ORDER", "DEDUCT_ON_PAYMENT"];

const id = { type: "string", min: 1, max: 64, pattern: ID } as const;
const count = (max: number) => ({ type: "number", integer: true, min: 0, max }) as const;
const money = count(MAX_MINOR);
const limit = {
  type: "number",
  integer: true,
  min: 1,
  max: 1_000_000,
  optional: true,
  nullable: true,
} as const;
const strategy = { type: "enum", values: STRATEGIES } as const;

type Params = ActionParams;

/** `POST /warehouses`. */
export const CREATE_WAREHOUSE: Params = {
  warehouseId: id,
  name: { type: "string", min: 1, max: 100 },
  provinces: { type: "array", max: 100, items: { type: "string", min: 1, max: 32 } },
};

/** `POST /skus`. */
export const CREATE_SKU: Params = {
  skuId: id,
  shopId: id,
  title: { type: "string", min: 1, max: 200 },
  spec: { type: "string", max: 200 },
  priceMinor: money,
  imageUrl: { type: "string", max: 2048, optional: true, nullable: true },
  category: { type: "string", min: 1, max: 100 },
  storageClass: { type: "string", min: 1, max: 50 },
  weightGrams: count(10_000_000),
  volumeCm3: count(1_000_000_000),
  declaredValueMinor: { ...money, optional: true },
  deductionStrategy: strategy,
  purchaseLimitPerUser: limit,
  onSale: { type: "boolean", optional: true },
};

/** `PATCH /skus/:skuId`. */
export const UPDATE_SKU: Params = {
  skuId: id,
  onSale: { type: "boolean", optional: true },
  priceMinor: { ...money, optional: true },
  declaredValueMinor: { ...money, optional: true },
  purchaseLimitPerUser: limit,
  deductionStrategy: { ...strategy, optional: true },
};

/** `GET /skus/:skuId`. */
export const SKU_ID: Params = { skuId: id };

/** `PUT /skus/:skuId/stock/:warehouseId`. */
export const SET_STOCK: Params = {
  skuId: id,
  warehouseId: id,
  onHand: count(1_000_000_000),
  safetyStock: { ...count(1_000_000_000), optional: true },
};

/** `inventory.getSkus`. */
export const GET_SKUS: Params = { skuIds: { type: "array", min: 1, max: 500, items: id } };

// Order numbers and user ids from tokens: any text; the key layout never splits on them.
const external = { type: "string", min: 1, max: 128 } as const;

/** `inventory.reserve`. */
export const RESERVE: Params = {
  reservationId: external,
  buyerId: external,
  province: { type: "string", min: 1, max: 32 },
  lines: {
    type: "array",
    min: 1,
    max: 100,
    items: {
      type: "object",
      props: {
        lineId: { type: "string", min: 1, max: 64 },
        skuId: id,
        quantity: { type: "number", integer: true, min: 1, max: 1_000_000 },
        strategy,
      },
    },
  },
  replacement: { type: "boolean", optional: true },
};

/** `inventory.release`. */
export const RELEASE: Params = {
  reservationId: external,
  reason: { type: "string", max: 200, optional: true },
};

/** `inventory.deduct` and `inventory.verify`. */
export const RESERVATION_ID: Params = { reservationId: external };

const positive = { type: "number", integer: true, min: 1, max: 1_000_000 } as const;
// Not stored (the ledger has no column for it); a caller's wording never blocks a stock movement.
const reason = { type: "string", max: 500 } as const;
// A SKU at most once per call: checked by the desk (VALIDATION_FAILED naming `lines[i].skuId`).
const lines = (props: Record<string, unknown>) =>
  ({ type: "array", min: 1, max: 100, items: { type: "object", props } }) as const;

/** `inventory.ship`. */
export const SHIP: Params = {
  reservationId: external,
  shipmentId: external,
  lines: lines({ skuId: id, quantity: positive }),
};

/** `inventory.unreserve`. */
export const UNRESERVE: Params = {
  reservationId: external,
  releaseId: external,
  lines: lines({ skuId: id, quantity: positive }),
  reason,
};

/** `inventory.restock`. */
export const RESTOCK: Params = {
  returnId: external,
  lines: lines({ skuId: id, warehouseId: id, quantity: positive }),
  reason,
};

/** `GET /admin/inventory/checks?limit=&cursor=` (the cursor is the last check's id). */
export const STOCK_CHECKS: Params = {
  limit: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
  cursor: { type: "string", pattern: /^[0-9]{1,18}$/, optional: true },
};
