import type { OutgoingMessage } from "../../../services/notification/adapters/channel-adapter";
import { sandboxRefusal } from "../../../services/notification/adapters/sandbox.adapter";

const message = (extra: Partial<OutgoingMessage>): OutgoingMessage => ({
  deliveryId: "d1",
  channel: "SMS",
  recipient: "u1",
  title: "t",
  text: "x",
  attempt: 1,
  ...extra,
});

describe("sandbox failures on demand", () => {
  it("accepts ordinary recipients on every channel", () => {
    for (const channel of ["APP_PUSH", "SMS", "WECHAT_TEMPLATE"] as const) {
      expect(sandboxRefusal(message({ channel }))).toBeNull();
    }
  });

  it("refuses a recipient containing fail-<channel> on that channel only, every attempt", () => {
    expect(sandboxRefusal(message({ recipient: "buyer-fail-sms-1", attempt: 9 }))).toMatch(/SMS refuses/);
    expect(sandboxRefusal(message({ recipient: "buyer-fail-sms-1", channel: "APP_PUSH" }))).toBeNull();
    expect(sandboxRefusal(message({ recipient: "x-fail-push", channel: "APP_PUSH" }))).not.toBeNull();
    expect(
      sandboxRefusal(message({ recipient: "x-fail-wechat", channel: "WECHAT_TEMPLATE" })),
    ).not.toBeNull();
  });

  it("refuses a flaky-<channel> recipient for its first two attempts only", () => {
    const flaky = (attempt: number) => sandboxRefusal(message({ recipient: "u-flaky-sms", attempt }));
    expect([flaky(1) !== null, flaky(2) !== null, flaky(3) !== null]).toEqual([true, true, false]);
  });
});
