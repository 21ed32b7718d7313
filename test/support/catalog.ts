import { devToken, request } from "./http";

let counter = 0;

/** A fresh id for this run: tests in one run never share SKUs, shops or users. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** Throws with the answer when a setup call did not succeed. */
export function expectOk<T = any>(res: { status: number; body: T }, what: string): T {
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface SkuSpec {
  skuId?: string;
  shopId: string;
  priceMinor: number;
  stock?: Record<string, number>;
  category?: string;
  storageClass?: string;
  weightGrams?: number;
  volumeCm3?: number;
  declaredValueMinor?: number;
  deductionStrategy?: "RESERVE_ON_ORDER" | "DEDUCT_ON_PAYMENT";
  purchaseLimitPerUser?: number;
}

/** Builds catalog data through the public API as an operator and merchants would. */
export class CatalogBuilder {
  private constructor(
    readonly url: string,
    readonly adminToken: string,
  ) {}

  static async create(url: string): Promise<CatalogBuilder> {
    return new CatalogBuilder(url, await devToken(url, uniqueId("admin"), "admin"));
  }

  merchantToken(shopId: string): Promise<string> {
    return devToken(this.url, `merchant-of-${shopId}`, "merchant", shopId);
  }

  async warehouse(provinces: string[], warehouseId = uniqueId("wh")): Promise<string> {
    const res = await request(this.url, "POST", "/api/v1/warehouses", {
      token: this.adminToken,
      body: { warehouseId, name: `Warehouse ${warehouseId}`, provinces },
    });
    expectOk(res, "create warehouse");
    return warehouseId;
  }

  async sku(spec: SkuSpec): Promise<string> {
    const skuId = spec.skuId ?? uniqueId("sku");
    expectOk(
      await request(this.url, "POST", "/api/v1/skus", {
        token: this.adminToken,
        body: {
          skuId,
          shopId: spec.shopId,
          title: `Item ${skuId}`,
          spec: "standard",
          priceMinor: spec.priceMinor,
          imageUrl: `https://img.example/${skuId}.jpg`,
          category: spec.category ?? "general",
          storageClass: spec.storageClass ?? "AMBIENT",
          weightGrams: spec.weightGrams ?? 500,
          volumeCm3: spec.volumeCm3 ?? 1000,
          ...(spec.declaredValueMinor ? { declaredValueMinor: spec.declaredValueMinor } : {}),
          deductionStrategy: spec.deductionStrategy ?? "RESERVE_ON_ORDER",
          ...(spec.purchaseLimitPerUser ? { purchaseLimitPerUser: spec.purchaseLimitPerUser } : {}),
        },
      }),
      "create sku",
    );
    for (const [warehouseId, onHand] of Object.entries(spec.stock ?? {})) {
      expectOk(
        await request(this.url, "PUT", `/api/v1/skus/${skuId}/stock/${warehouseId}`, {
          token: this.adminToken,
          body: { onHand },
        }),
        "set stock",
      );
    }
    return skuId;
  }

  async stock(
    skuId: string,
  ): Promise<{ warehouseId: string; onHand: number; reserved: number; available: number }[]> {
    const res = await request(this.url, "GET", `/api/v1/skus/${skuId}`, { token: this.adminToken });
    return expectOk(res, "read sku").stock;
  }

  async couponTemplate(body: Record<string, unknown>): Promise<string> {
    const templateId = uniqueId("tpl");
    const now = Date.now();
    expectOk(
      await request(this.url, "POST", "/api/v1/coupon-templates", {
        token: this.adminToken,
        body: {
          templateId,
          validFrom: new Date(now - 3_600_000).toISOString(),
          validTo: new Date(now + 86_400_000).toISOString(),
          ...body,
        },
      }),
      "create coupon template",
    );
    return templateId;
  }

  async issueCoupon(templateId: string, userId: string): Promise<string> {
    const res = await request(this.url, "POST", `/api/v1/coupon-templates/${templateId}/issue`, {
      token: this.adminToken,
      body: { userId },
    });
    return expectOk(res, "issue coupon").couponId;
  }

  /**
   * The two-shop cart of DOMAIN.md's worked example: shop A's tea (2 x 129.00) and cups (3 x 45.50), shop B's
   * lamp (333.00); a shop coupon of A (15.00 off 100.00), a platform coupon (20.00 off 200.00), a SUPER
   * member with 1,000 coins to spend. Answers the buyer's token, the coupons and the order body.
   */
  async twoShopCart() {
    const shopA = uniqueId("shopA");
    const shopB = uniqueId("shopB");
    const buyerId = uniqueId("buyer");
    const wh = await this.warehouse(["Zhejiang"]);
    const tea = await this.sku({ shopId: shopA, priceMinor: 12_900, stock: { [wh]: 100 } });
    const cups = await this.sku({ shopId: shopA, priceMinor: 4_550, stock: { [wh]: 100 } });
    const lamp = await this.sku({ shopId: shopB, priceMinor: 33_300, stock: { [wh]: 100 } });
    const shopTpl = await this.couponTemplate({
      scope: "SHOP",
      shopId: shopA,
      thresholdMinor: 10_000,
      discountMinor: 1_500,
    });
    const platformTpl = await this.couponTemplate({
      scope: "PLATFORM",
      thresholdMinor: 20_000,
      discountMinor: 2_000,
    });
    const shopCoupon = await this.issueCoupon(shopTpl, buyerId);
    const platformCoupon = await this.issueCoupon(platformTpl, buyerId);
    await this.member(buyerId, "SUPER", 5_000);
    const body = {
      lines: [
        { skuId: tea, quantity: 2 },
        { skuId: cups, quantity: 3 },
        { skuId: lamp, quantity: 1 },
      ],
      address: address(),
      couponIds: [shopCoupon, platformCoupon],
      coins: 1_000,
      sourceChannel: "APP",
    };
    const buyer = await devToken(this.url, buyerId, "buyer");
    return { shopA, shopB, wh, tea, shopCoupon, platformCoupon, buyer, body };
  }

  async member(userId: string, tier: string, coins: number): Promise<void> {
    expectOk(
      await request(this.url, "PUT", `/api/v1/members/${userId}`, { token: this.adminToken, body: { tier } }),
      "set tier",
    );
    if (coins > 0) {
      expectOk(
        await request(this.url, "POST", `/api/v1/members/${userId}/coins`, {
          token: this.adminToken,
          body: { delta: coins, reason: "test grant" },
        }),
        "grant coins",
      );
    }
  }
}

/** A receiver in the given province. */
export function address(province = "Zhejiang") {
  return {
    name: "Li Lei",
    phone: "13800000000",
    province,
    city: "Hangzhou",
    district: "Xihu",
    detail: "1 Wensan Road",
  };
}
