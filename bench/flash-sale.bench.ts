import "./bench-env";
import { address, CatalogBuilder, uniqueId } from "../test/support/catalog";
import { devToken } from "../test/support/http";
import { load, withSystem } from "./bench-support";

/**
 * Flash sale through the HTTP gateway: one SKU with 100 units, 5,000 order
 * attempts from 5,000 buyers at concurrency 64. Prints attempts/s and checks
 * that exactly 100 orders were made and nothing was oversold.
 * Run: `npx tsx bench/flash-sale.bench.ts`.
 */
async function main(): Promise<void> {
  const attempts = Number(process.env.ATTEMPTS ?? 5_000);
  await withSystem(async ({ baseUrl }) => {
    const catalog = await CatalogBuilder.create(baseUrl);
    const wh = await catalog.warehouse(["Zhejiang"]);
    const skuId = await catalog.sku({
      shopId: uniqueId("shop"),
      priceMinor: 9_900,
      stock: { [wh]: 100 },
      purchaseLimitPerUser: 1,
    });
    const tokens: string[] = [];
    for (let i = 0; i < attempts; i += 500) {
      const batch = Array.from({ length: Math.min(500, attempts - i) }, (_x, j) =>
        devToken(baseUrl, `fan-${i + j}`, "buyer"),
      );
      tokens.push(...(await Promise.all(batch)));
    }
    const body = JSON.stringify({
      lines: [{ skuId, quantity: 1 }],
      address: address(),
      sourceChannel: "APP",
    });
    let n = 0;
    const started = Date.now();
    const figures = await load({
      url: `${baseUrl}/api/v1/orders`,
      method: "POST",
      connections: 64,
      amount: attempts,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${tokens[n++ % tokens.length]}`,
            },
            body,
          }),
        },
      ],
    });
    const seconds = (Date.now() - started) / 1000;
    const stock = (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);
    console.log(`attempts: ${figures.requests}, orders: ${figures.ok}, refused: ${figures.non2xx}`);
    console.log(
      `attempts/s: ${Math.round(figures.requests / seconds)}, p50 ${figures.p50} ms, p99 ${figures.p99} ms`,
    );
    console.log(`stock after: ${JSON.stringify(stock)}`);
    const oversold = figures.ok > 100 || (stock?.reserved ?? 0) > 100 || (stock?.available ?? 0) < 0;
    console.log(figures.ok === 100 && !oversold ? "exactly 100 orders, zero oversell" : "MISMATCH");
    if (figures.ok !== 100 || oversold) process.exitCode = 1;
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
