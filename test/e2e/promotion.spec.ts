import { randomBytes } from "node:crypto";
import { devToken, request } from "../support/http";
import { startSystem, type TestSystem } from "../support/system";

const DAY = 86_400_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe("promotion API", () => {
  let system: TestSystem;
  let url: string;
  const t = randomBytes(3).toString("hex");
  const shop = `shop-${t}`;
  const buyerId = `buyer-${t}`;
  const tokens: Record<"admin" | "merchant" | "otherMerchant" | "buyer", string> = {} as never;
  const call = (method: string, path: string, token: string, body?: unknown) =>
    request(url, method, `/api/v1${path}`, { token, body });
  const window = { startsAt: iso(-DAY), endsAt: iso(DAY) };

  beforeAll(async () => {
    system = await startSystem(["gateway", "promotion"]);
    url = system.baseUrl;
    tokens.admin = await devToken(url, "admin-1", "admin");
    tokens.merchant = await devToken(url, `m-${t}`, "merchant", shop);
    tokens.otherMerchant = await devToken(url, `m2-${t}`, "merchant", `other-${t}`);
    tokens.buyer = await devToken(url, buyerId, "buyer");
  });
  afterAll(() => system.stop());

  describe("campaigns", () => {
    it("lets an admin create a platform campaign, funded by the platform", async () => {
      const res = await call("POST", "/campaigns", tokens.admin, {
        campaignId: `plat-${t}`,
        kind: "PERCENT_OFF",
        percentOff: 5,
        // Scoped to this file's SKU: a platform-wide campaign would reach other test files sharing the schema.
        skuIds: [`sku-${t}`],
        ...window,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        campaignId: `plat-${t}`,
        shopId: null,
        funder: "PLATFORM",
        percentOff: 5,
      });
    });

    it("lets a merchant create its own shop's flash sale with a payment timeout and strategy", async () => {
      const res = await call("POST", "/campaigns", tokens.merchant, {
        campaignId: `flash-${t}`,
        kind: "FLASH_PRICE",
        shopId: shop,
        skuIds: ["sku-1"],
        flashPriceMinor: 990,
        paymentTimeout: "5m",
        deductionStrategy: "RESERVE_ON_ORDER",
        exclusive: true,
        ...window,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ funder: "SHOP", paymentTimeout: "5m", paymentTimeoutMs: 300_000 });
      const again = await call("POST", "/campaigns", tokens.merchant, {
        campaignId: `flash-${t}`,
        kind: "FLASH_PRICE",
        shopId: shop,
        skuIds: ["sku-1"],
        flashPriceMinor: 990,
        ...window,
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("ALREADY_EXISTS");
    });

    it("refuses buyers, other shops' merchants and merchants creating platform campaigns", async () => {
      const body = { campaignId: `x-${t}`, kind: "PERCENT_OFF", percentOff: 10, shopId: shop, ...window };
      const buyer = await call("POST", "/campaigns", tokens.buyer, body);
      expect(buyer.status).toBe(403);
      expect(buyer.body.error.code).toBe("FORBIDDEN");
      expect((await call("POST", "/campaigns", tokens.otherMerchant, body)).status).toBe(403);
      const { shopId: _omit, ...platform } = body;
      expect((await call("POST", "/campaigns", tokens.merchant, platform)).status).toBe(403);
    });

    it.each([
      [{ kind: "PERCENT_OFF", percentOff: 150 }, "percentOff"],
      [{ kind: "THRESHOLD_DISCOUNT", thresholdMinor: 30_000 }, "discountMinor"],
      [{ kind: "THRESHOLD_DISCOUNT", thresholdMinor: -1, discountMinor: 10 }, "thresholdMinor"],
      [{ kind: "FLASH_PRICE", flashPriceMinor: 100 }, "skuIds"],
      [{ kind: "PERCENT_OFF", percentOff: 10, flashPriceMinor: 100 }, "flashPriceMinor"],
      [{ kind: "PERCENT_OFF", percentOff: 10, paymentTimeout: "5 minutes" }, "paymentTimeout"],
      [{ kind: "PERCENT_OFF", percentOff: 10, endsAt: iso(-2 * DAY) }, "endsAt"],
      [{ kind: "BOGO" }, "kind"],
    ])("refuses an invalid campaign %j naming %s", async (fields, field) => {
      const res = await call("POST", "/campaigns", tokens.admin, {
        campaignId: `bad-${t}`,
        ...window,
        ...fields,
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
    });
  });

  describe("coupons and members", () => {
    const template = `tpl-${t}`;

    beforeAll(async () => {
      const res = await call("POST", "/coupon-templates", tokens.merchant, {
        templateId: template,
        scope: "SHOP",
        shopId: shop,
        thresholdMinor: 10_000,
        discountMinor: 1_000,
        validFrom: iso(-DAY),
        validTo: iso(DAY),
      });
      expect(res.status).toBe(201);
    });

    it("issues coupons that the buyer lists with their status", async () => {
      const issued = await call("POST", `/coupon-templates/${template}/issue`, tokens.merchant, {
        userId: buyerId,
      });
      expect(issued.status).toBe(201);
      expect(issued.body.couponId).toEqual(expect.any(String));
      const second = await call("POST", `/coupon-templates/${template}/issue`, tokens.admin, {
        userId: buyerId,
      });
      await system.broker.call("promotion.lock", {
        lockId: `lock-${t}`,
        buyerId,
        couponIds: [second.body.couponId],
        coins: 0,
      });
      const mine = await call("GET", "/me/coupons", tokens.buyer);
      expect(mine.status).toBe(200);
      expect(
        mine.body.items.map((c: { couponId: string; status: string }) => [c.couponId, c.status]),
      ).toEqual([
        [second.body.couponId, "LOCKED"],
        [issued.body.couponId, "AVAILABLE"],
      ]);
      expect(mine.body.items[1]).toMatchObject({
        scope: "SHOP",
        shopId: shop,
        thresholdMinor: 10_000,
        discountMinor: 1_000,
      });
      const page = await call("GET", "/me/coupons?limit=1", tokens.buyer);
      expect(page.body.items).toHaveLength(1);
      const next = await call("GET", `/me/coupons?limit=1&cursor=${page.body.nextCursor}`, tokens.buyer);
      expect(next.body.items[0].couponId).toBe(issued.body.couponId);
    });

    it("shows a coupon past its window as EXPIRED", async () => {
      const shortLived = `short-${t}`;
      await call("POST", "/coupon-templates", tokens.admin, {
        templateId: shortLived,
        scope: "PLATFORM",
        thresholdMinor: 0,
        discountMinor: 100,
        validFrom: iso(-DAY),
        validTo: iso(1_000),
      });
      const issued = await call("POST", `/coupon-templates/${shortLived}/issue`, tokens.admin, {
        userId: buyerId,
      });
      expect(issued.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const expired = await call("GET", "/me/coupons?status=EXPIRED", tokens.buyer);
      expect(expired.body.items.map((c: { couponId: string }) => c.couponId)).toEqual([issued.body.couponId]);
      expect(expired.body.items[0].status).toBe("EXPIRED");
      const late = await call("POST", `/coupon-templates/${shortLived}/issue`, tokens.admin, {
        userId: buyerId,
      });
      expect(late.body.error.code).toBe("COUPON_EXPIRED");
    });

    it("keeps merchants to their own templates and admins to platform ones", async () => {
      const res = await call("POST", "/coupon-templates", tokens.merchant, {
        templateId: `plat-tpl-${t}`,
        scope: "PLATFORM",
        thresholdMinor: 0,
        discountMinor: 100,
        validFrom: iso(-DAY),
        validTo: iso(DAY),
      });
      expect(res.status).toBe(403);
      const issue = await call("POST", `/coupon-templates/${template}/issue`, tokens.otherMerchant, {
        userId: buyerId,
      });
      expect(issue.status).toBe(403);
      const missing = await call("POST", "/coupon-templates/nope/issue", tokens.admin, { userId: buyerId });
      expect(missing.status).toBe(404);
    });

    it("sets tiers and coins, which the buyer sees on /me/member", async () => {
      const tier = await call("PUT", `/members/${buyerId}`, tokens.admin, { tier: "SUPER" });
      expect(tier.status).toBe(200);
      expect(
        (await call("POST", `/members/${buyerId}/coins`, tokens.admin, { delta: 500, reason: "welcome" }))
          .body,
      ).toEqual({
        userId: buyerId,
        coins: 500,
      });
      const over = await call("POST", `/members/${buyerId}/coins`, tokens.admin, {
        delta: -600,
        reason: "fix",
      });
      expect(over.status).toBe(422);
      expect(over.body.error).toMatchObject({
        code: "INSUFFICIENT_COINS",
        details: { field: "delta", balance: 500 },
      });
      const me = await call("GET", "/me/member", tokens.buyer);
      expect(me.body).toEqual({
        userId: buyerId,
        tier: "SUPER",
        benefitPercent: 98,
        stacksWithItemPromotion: false,
        coins: 500,
      });
    });

    it("configures tiers, and refuses unknown ones naming the field", async () => {
      const diamond = await call("PUT", `/admin/member-tiers/DIAMOND${t.toUpperCase()}`, tokens.admin, {
        percent: 95,
        stacksWithItemPromotion: true,
      });
      expect(diamond.status).toBe(200);
      expect(
        (await call("PUT", `/members/${buyerId}-2`, tokens.admin, { tier: `DIAMOND${t.toUpperCase()}` }))
          .status,
      ).toBe(200);
      const unknown = await call("PUT", `/members/${buyerId}`, tokens.admin, { tier: "PLATINUM_X" });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.details.field).toBe("tier");
      expect((await call("PUT", `/members/${buyerId}`, tokens.buyer, { tier: "SUPER" })).status).toBe(403);
      const zero = await call("POST", `/members/${buyerId}/coins`, tokens.admin, {
        delta: 0,
        reason: "none",
      });
      expect(zero.body.error.details.field).toBe("delta");
    });

    it("lets a merchant set its own shop's shipping only", async () => {
      const own = await call("PUT", `/shops/${shop}/shipping`, tokens.merchant, {
        feeMinor: 800,
        freeOverMinor: null,
      });
      expect(own.status).toBe(200);
      expect(own.body).toEqual({ shopId: shop, feeMinor: 800, freeOverMinor: null });
      expect(
        (await call("PUT", `/shops/${shop}/shipping`, tokens.otherMerchant, { feeMinor: 0 })).status,
      ).toBe(403);
      const bad = await call("PUT", `/shops/${shop}/shipping`, tokens.merchant, { feeMinor: 1.5 });
      expect(bad.body.error.details.field).toBe("feeMinor");
    });

    it("keeps /me routes to buyers", async () => {
      expect((await call("GET", "/me/coupons", tokens.merchant)).status).toBe(403);
      expect((await request(url, "GET", "/api/v1/me/member")).status).toBe(401);
    });
  });
});
