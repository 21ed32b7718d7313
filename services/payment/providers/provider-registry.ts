import type { Pool } from "pg";
import type { AppConfig } from "../../../shared/config/config";
import type { PaymentMethod } from "../../../shared/contracts/payment.contract";
import { OmsError } from "../../../shared/errors";
import type { CallbackCourier } from "../../../shared/webhooks/callback-courier";
import { ALIPAY_FORMAT } from "./alipay.format";
import type { PaymentProvider, ProviderFormat } from "./provider";
import { type CallbackSender, SandboxProvider } from "./sandbox-provider";
import { UNIONPAY_FORMAT } from "./unionpay.format";
import { WECHAT_FORMAT } from "./wechat.format";

export const PROVIDER_FORMATS: Record<PaymentMethod, ProviderFormat> = {
  WECHAT: WECHAT_FORMAT,
  ALIPAY: ALIPAY_FORMAT,
  UNIONPAY: UNIONPAY_FORMAT,
};

/** Each provider's callback key, from configuration only (never from a request). */
export function providerSecrets(cfg: AppConfig): Record<PaymentMethod, string> {
  return {
    WECHAT: cfg.paymentWechatSecret,
    ALIPAY: cfg.paymentAlipaySecret,
    UNIONPAY: cfg.paymentUnionpaySecret,
  };
}

/** The providers the service can use, by method. */
export class ProviderRegistry {
  constructor(private readonly providers: Partial<Record<PaymentMethod, PaymentProvider>>) {}

  /** The sandbox providers for every method (PAYMENT_SANDBOX=true). */
  static sandbox(
    secrets: Record<PaymentMethod, string>,
    pool: Pool,
    courier: CallbackCourier,
    send: CallbackSender,
  ): ProviderRegistry {
    const later = (task: () => Promise<unknown>, delayMs: number) => courier.later(task, delayMs);
    const make = (method: PaymentMethod) =>
      new SandboxProvider(PROVIDER_FORMATS[method], secrets[method], pool, later, send);
    return new ProviderRegistry({
      WECHAT: make("WECHAT"),
      ALIPAY: make("ALIPAY"),
      UNIONPAY: make("UNIONPAY"),
    });
  }

  /** The provider of a method; 503 when none is configured (sandbox off and no real adapter yet). */
  get(method: PaymentMethod): PaymentProvider {
    const provider = this.providers[method];
    if (!provider)
      throw new OmsError("SERVICE_UNAVAILABLE", `Payment method ${method} is not available`, { method });
    return provider;
  }

  /** The sandbox provider of a method, or undefined when the sandbox is off. */
  sandbox(method: PaymentMethod): SandboxProvider | undefined {
    const provider = this.providers[method];
    return provider instanceof SandboxProvider ? provider : undefined;
  }
}
