/** Stock of one SKU in one warehouse; available = on hand - reserved - safety stock (may be negative after a recount). */
export interface StockFigures {
  warehouseId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
}

/** The counters of one warehouse, as stored in a SKU's stock hash (`<warehouseId>:on|res|safe`). */
export interface StockCounters {
  onHand: number;
  reserved: number;
  safetyStock: number;
}

const FIELD_SUFFIX = { on: "onHand", res: "reserved", safe: "safetyStock" } as const;

/** Reads a SKU's stock hash into per-warehouse figures, sorted by warehouse id. */
export function figuresFromHash(hash: Record<string, string>): StockFigures[] {
  const byWarehouse = new Map<string, StockCounters>();
  for (const [field, value] of Object.entries(hash)) {
    const cut = field.lastIndexOf(":");
    const suffix = field.slice(cut + 1) as keyof typeof FIELD_SUFFIX;
    if (cut <= 0 || !(suffix in FIELD_SUFFIX)) continue;
    const warehouseId = field.slice(0, cut);
    const counters = byWarehouse.get(warehouseId) ?? { onHand: 0, reserved: 0, safetyStock: 0 };
    counters[FIELD_SUFFIX[suffix]] = Number(value);
    byWarehouse.set(warehouseId, counters);
  }
  return [...byWarehouse.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([warehouseId, c]) => withAvailable(warehouseId, c));
}

/** Figures with `available` computed. */
export function withAvailable(warehouseId: string, c: StockCounters): StockFigures {
  return { warehouseId, ...c, available: c.onHand - c.reserved - c.safetyStock };
}

/** The stock hash fields of one warehouse (the inverse of figuresFromHash). */
export function hashFields(warehouseId: string, c: StockCounters): Record<string, string> {
  return {
    [`${warehouseId}:on`]: String(c.onHand),
    [`${warehouseId}:res`]: String(c.reserved),
    [`${warehouseId}:safe`]: String(c.safetyStock),
  };
}
