import { ADMIN, locatedBy, MERCHANT_OR_ADMIN, type RouteDef } from "./route-def";

const TAG = "Catalog and stock";
const id = { type: "string", maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" };
const minor = { type: "integer", minimum: 0, description: "minor units (fen)" };
const strategy = { type: "string", enum: ["RESERVE_ON_ORDER", "DEDUCT_ON_PAYMENT"] };
const limit = {
  type: "integer",
  minimum: 1,
  nullable: true,
  description: "units per buyer over open and paid orders",
};

/** Inventory routes (API.md "Catalog and stock"): ownership of a SKU's shop is checked by the inventory service. */
export const INVENTORY_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/warehouses",
    action: "inventory.createWarehouse",
    roles: ADMIN,
    status: 201,
    summary: "Create a warehouse and the provinces it serves",
    tag: TAG,
    body: {
      type: "object",
      required: ["warehouseId", "name", "provinces"],
      properties: {
        warehouseId: id,
        name: { type: "string", maxLength: 100 },
        provinces: { type: "array", items: { type: "string", maxLength: 32 } },
      },
    },
  },
  {
    method: "GET",
    path: "/warehouses",
    action: "inventory.listWarehouses",
    roles: MERCHANT_OR_ADMIN,
    summary: "Every warehouse",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/skus",
    action: "inventory.createSku",
    roles: MERCHANT_OR_ADMIN,
    status: 201,
    location: locatedBy("skus", "skuId"),
    summary: "Create a SKU (a merchant for its own shop); an existing skuId is 409 ALREADY_EXISTS",
    tag: TAG,
    body: {
      type: "object",
      required: [
        "skuId",
        "shopId",
        "title",
        "spec",
        "priceMinor",
        "category",
        "storageClass",
        "weightGrams",
        "volumeCm3",
        "deductionStrategy",
      ],
      properties: {
        skuId: id,
        shopId: id,
        title: { type: "string", maxLength: 200 },
        spec: { type: "string", maxLength: 200 },
        priceMinor: minor,
        imageUrl: { type: "string", maxLength: 2048, nullable: true },
        category: { type: "string", maxLength: 100 },
        storageClass: { type: "string", maxLength: 50 },
        weightGrams: { type: "integer", minimum: 0 },
        volumeCm3: { type: "integer", minimum: 0 },
        declaredValueMinor: { ...minor, description: "defaults to priceMinor" },
        deductionStrategy: strategy,
        purchaseLimitPerUser: limit,
        onSale: { type: "boolean", default: true },
      },
    },
  },
  {
    method: "PATCH",
    path: "/skus/:skuId",
    action: "inventory.updateSku",
    roles: MERCHANT_OR_ADMIN,
    summary: "Change a SKU's sale status, price, declared value, purchase limit or deduction strategy",
    tag: TAG,
    body: {
      type: "object",
      properties: {
        onSale: { type: "boolean" },
        priceMinor: minor,
        declaredValueMinor: minor,
        purchaseLimitPerUser: limit,
        deductionStrategy: strategy,
      },
    },
  },
  {
    method: "GET",
    path: "/skus/:skuId",
    action: "inventory.getSku",
    roles: MERCHANT_OR_ADMIN,
    summary: "A SKU with live stock per warehouse: onHand, reserved, safetyStock, available",
    tag: TAG,
  },
  {
    method: "PUT",
    path: "/skus/:skuId/stock/:warehouseId",
    action: "inventory.setStock",
    roles: MERCHANT_OR_ADMIN,
    summary: "Set on-hand stock (and optionally safety stock); recorded as an ADJUST movement",
    tag: TAG,
    body: {
      type: "object",
      required: ["onHand"],
      properties: {
        onHand: { type: "integer", minimum: 0 },
        safetyStock: { type: "integer", minimum: 0 },
      },
    },
  },
  {
    method: "POST",
    path: "/admin/inventory/rebuild",
    action: "inventory.rebuild",
    roles: ADMIN,
    summary: "Rebuild the Redis stock counters, reservations and purchase-limit counts from the ledger",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/admin/inventory/reconcile",
    action: "inventory.reconcile",
    roles: ADMIN,
    summary: "Report every drift between Redis and the PostgreSQL ledger: {ok, drift: [...]}",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/admin/inventory/checks",
    action: "inventory.checkStock",
    roles: ADMIN,
    status: 201,
    summary: "Run a stock check now and record it like the periodic ones; new drift is told to the operators",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/admin/inventory/checks",
    action: "inventory.stockChecks",
    roles: ADMIN,
    summary:
      "The recorded stock checks, newest first: {checkId, checkedAt, ok, driftCount, byKind, drift, announced}",
    tag: TAG,
    query: {
      limit: {
        description: "Page size, 1-100 (default 20)",
        schema: { type: "integer", minimum: 1, maximum: 100 },
      },
      cursor: { description: "The nextCursor of the page before", schema: { type: "string" } },
    },
  },
];
