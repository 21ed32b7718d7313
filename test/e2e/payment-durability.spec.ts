import { CatalogBuilder, expectOk, uniqueId } from "../support/catalog";
import { request } from "../support/http";
import { completeInSandbox, placeCheckout, settledOrders, startPayment } from "../support/payment-flow";
import { freePort, type SystemProcess, spawnSystem } from "../support/processes";
import { startSystem, type TestSystem, waitFor } from "../support/system";

describe("payment settles exactly once", () => {
  describe("timeout and callback at the same moment", () => {
    let system: TestSystem;
    let catalog: CatalogBuilder;
    let url: string;
    let before: number;

    beforeAll(async () => {
      system = await startSystem();
      url = system.baseUrl;
      catalog = await CatalogBuilder.create(url);
      before = expectOk(
        await request(url, "GET", "/api/v1/admin/order-types/STANDARD", { token: catalog.adminToken }),
        "config",
      ).paymentTimeoutMs;
    });
    afterAll(async () => {
      await request(url, "PUT", "/api/v1/admin/order-types/STANDARD", {
        token: catalog.adminToken,
        body: { paymentTimeout: `${before}ms` },
      });
      await system.stop();
    });

    it("ends every one of 50 races either paid with stock deducted, or closed with stock back and the money refunded", async () => {
      const wh = await catalog.warehouse(["Zhejiang"]);
      const skuId = await catalog.sku({
        shopId: uniqueId("shop"),
        priceMinor: 1_000,
        stock: { [wh]: 1_000 },
      });
      expectOk(
        await request(url, "PUT", "/api/v1/admin/order-types/STANDARD", {
          token: catalog.adminToken,
          // Long enough for 50 concurrent placements and payments on a loaded CI machine.
          body: { paymentTimeout: "5000ms" },
        }),
        "short timeout",
      );
      const runs = await Promise.all(
        Array.from({ length: 50 }, async (_x, i) => {
          const { token, checkout } = await placeCheckout(catalog, { lines: [{ skuId, quantity: 1 }] });
          const started = await request(url, "POST", "/api/v1/payments", {
            token,
            body: { parentOrderNo: checkout.parentOrderNo, method: "WECHAT" },
          });
          if (started.status === 409) {
            // The timeout won before the payment could even start: a consistent outcome too.
            expect(started.body.error.details.state).toBe("CLOSED");
            const [order] = await settledOrders(url, token, checkout.parentOrderNo, 30_000);
            return { token, order, checkout, raced: false };
          }
          const payment = expectOk(started, "start payment");
          const deadline = new Date(checkout.paymentDeadline).getTime();
          // Land the callback around the deadline: some before, some after, some together.
          const delayMs = Math.max(0, deadline - Date.now() + ((i % 5) - 2) * 40);
          await completeInSandbox(url, payment.providerPaymentNo, { delayMs });
          const [order] = await settledOrders(url, token, checkout.parentOrderNo, 30_000);
          return { token, order, checkout, raced: true };
        }),
      );
      expect(runs.filter((r) => r.raced).length).toBeGreaterThan(0);
      let paid = 0;
      for (const { token, order, checkout, raced } of runs) {
        if (order.status === "AWAITING_SHIPMENT") {
          paid += 1;
          expect(order.amounts.paidMinor).toBe(checkout.payableMinor);
          continue;
        }
        expect(order.status).toBe("CLOSED");
        if (!raced) continue;
        await waitFor("the refund of a payment that lost the race", async () => {
          const detail = await request(url, "GET", `/api/v1/orders/${order.orderNo}`, { token });
          return detail.body.payment?.refundedMinor === checkout.payableMinor;
        });
      }
      await waitFor("stock to balance", async () => {
        const stock = (await catalog.stock(skuId)).find((s) => s.warehouseId === wh);
        // Paid units stay reserved until shipped; closed orders hold nothing.
        return stock?.onHand === 1_000 && stock.reserved === paid && stock.available === 1_000 - paid;
      });
    });
  });

  describe("with the order service in its own process", () => {
    const started: SystemProcess[] = [];
    afterAll(async () => {
      await Promise.all(started.map((p) => p.stop()));
    });

    it("brings an order to AWAITING_SHIPMENT when its process died after the payment was accepted", async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const edge = spawnSystem("gateway,inventory,promotion,payment,warehouse,logistics,notification", {
        PORT: String(port),
        NODE_ID: "edge",
      });
      let order = spawnSystem("order", { NODE_ID: "order-1" });
      started.push(edge, order);
      await waitFor("all services", async () => (await request(url, "GET", "/ready")).status === 200, 60_000);
      const catalog = await CatalogBuilder.create(url);
      const { token, checkout } = await placeCheckout(catalog);
      const payment = await startPayment(url, token, checkout.parentOrderNo);

      order.child.kill("SIGKILL");
      await order.stop();
      await waitFor(
        "the gateway to notice the order service is gone",
        async () => {
          const ready = await request(url, "GET", "/ready");
          return !ready.body.services.includes("order");
        },
        30_000,
      );
      await completeInSandbox(url, payment.providerPaymentNo);
      const accepted = expectOk(
        await request(url, "GET", `/api/v1/payments/${payment.paymentNo}`, { token }),
        "payment",
      );
      expect(accepted.status).toBe("SUCCEEDED");

      order = spawnSystem("order", { NODE_ID: "order-2" });
      started.push(order);
      const [settled] = await settledOrders(url, token, checkout.parentOrderNo, 60_000);
      expect(settled.status).toBe("AWAITING_SHIPMENT");
    });
  });
});
