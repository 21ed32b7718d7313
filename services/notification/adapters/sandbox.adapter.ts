import type { Pool } from "pg";
import { Coalescer, inBatches } from "../../../shared/batching/coalescer";
import type { ExternalChannel } from "../domain/nodes";
import { recordSandboxSends, type SandboxSend } from "../store/sandbox-outbox.repo";
import type { ChannelAdapter, ChannelAdapters, OutgoingMessage } from "./channel-adapter";

/** How tests name a channel in a recipient id to make the sandbox fail: "fail-sms", "flaky-push" ... */
export const SANDBOX_FAILURE_SLUGS: Record<ExternalChannel, string> = {
  APP_PUSH: "push",
  SMS: "sms",
  WECHAT_TEMPLATE: "wechat",
};

/** Attempts a "flaky-<channel>" recipient fails before the sandbox accepts. */
export const FLAKY_FAILURES = 2;

/**
 * Whether the sandbox refuses this send, on demand for tests: a recipient containing
 * `fail-<slug>` always fails on that channel, `flaky-<slug>` fails its first two attempts.
 */
export function sandboxRefusal(message: OutgoingMessage): string | null {
  const slug = SANDBOX_FAILURE_SLUGS[message.channel];
  if (message.recipient.includes(`fail-${slug}`))
    return `sandbox ${message.channel} refuses ${message.recipient}`;
  if (message.recipient.includes(`flaky-${slug}`) && message.attempt <= FLAKY_FAILURES) {
    return `sandbox ${message.channel} is briefly unavailable (attempt ${message.attempt})`;
  }
  return null;
}

/** A channel that records exactly what it would send in `sandbox_outbox`, like a provider's console. */
export class SandboxChannelAdapter implements ChannelAdapter {
  // Sends made at the same time are recorded in one statement.
  private readonly sends: Coalescer<SandboxSend, void>;

  constructor(pool: Pool) {
    this.sends = new Coalescer(inBatches((sends: SandboxSend[]) => recordSandboxSends(pool, sends)));
  }

  async send(message: OutgoingMessage): Promise<void> {
    const refusal = sandboxRefusal(message);
    if (refusal) throw new Error(refusal);
    const { deliveryId, channel, recipient, text } = message;
    await this.sends.submit({ deliveryId, channel, recipient, text, sentAt: new Date() });
  }
}

/** Sandbox adapters for every external channel (no real provider is wired yet). */
export function sandboxAdapters(pool: Pool): ChannelAdapters {
  const sandbox = new SandboxChannelAdapter(pool);
  return { APP_PUSH: sandbox, SMS: sandbox, WECHAT_TEMPLATE: sandbox };
}
