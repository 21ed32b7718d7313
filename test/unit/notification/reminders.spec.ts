import {
  AUTO_CONFIRM_REMINDER,
  decideReminder,
  type OrderFacts,
  PAYMENT_REMINDER,
  reminderAhead,
  reminderEventId,
  shouldArm,
} from "../../../services/notification/domain/reminders";

const MIN = 60_000;
const NOW = new Date("2026-11-26T02:00:00.000Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MIN);

const facts = (extra: Partial<OrderFacts> = {}): OrderFacts => ({
  orderNo: "2611260000000001",
  buyerId: "u1",
  shopId: "s1",
  payableMinor: 12345,
  paymentDeadline: at(30),
  paidAt: null,
  closedAt: null,
  autoConfirmAt: null,
  completedAt: null,
  paymentRemindedAt: null,
  autoConfirmRemindedAt: null,
  ...extra,
});

describe("arming reminders", () => {
  it("arms the payment reminder the lead time before the deadline", () => {
    expect(shouldArm(PAYMENT_REMINDER, facts(), 5 * MIN, NOW)).toEqual(at(25));
  });

  it("arms none when the deadline is nearer than the lead time", () => {
    expect(shouldArm(PAYMENT_REMINDER, facts({ paymentDeadline: at(4) }), 5 * MIN, NOW)).toBeNull();
  });

  it("arms none for an order already paid or closed (events arrived out of order)", () => {
    expect(shouldArm(PAYMENT_REMINDER, facts({ paidAt: NOW }), 5 * MIN, NOW)).toBeNull();
    expect(shouldArm(PAYMENT_REMINDER, facts({ closedAt: NOW }), 5 * MIN, NOW)).toBeNull();
  });

  it("arms the auto-confirm reminder before auto-confirm, unless completed", () => {
    const shipped = facts({ autoConfirmAt: at(10 * 24 * 60) });
    expect(shouldArm(AUTO_CONFIRM_REMINDER, shipped, 24 * 60 * MIN, NOW)).toEqual(at(9 * 24 * 60));
    expect(shouldArm(AUTO_CONFIRM_REMINDER, { ...shipped, completedAt: NOW }, 24 * 60 * MIN, NOW)).toBeNull();
    expect(shouldArm(AUTO_CONFIRM_REMINDER, facts(), 24 * 60 * MIN, NOW)).toBeNull();
  });
});

describe("a reminder's due time", () => {
  it("is the lead time before the deadline while that is still ahead", () => {
    expect(reminderAhead(at(30), 5 * MIN, NOW)).toEqual(at(25));
  });

  it("is none without a deadline, or when the deadline is nearer than the lead time", () => {
    expect(reminderAhead(null, 5 * MIN, NOW)).toBeNull();
    expect(reminderAhead(at(5), 5 * MIN, NOW)).toBeNull();
    expect(reminderAhead(at(4), 5 * MIN, NOW)).toBeNull();
  });
});

describe("a fired reminder", () => {
  it("sends PAYMENT_DUE_SOON under an id derived from the timer", () => {
    const decision = decideReminder(PAYMENT_REMINDER, facts({ paymentDeadline: at(5) }), 5 * MIN, NOW);
    expect(decision).toEqual({
      action: "SEND",
      intent: {
        node: "PAYMENT_DUE_SOON",
        eventId: "payment-reminder:2611260000000001",
        orderNo: "2611260000000001",
        audience: { buyerId: "u1", shopId: "s1" },
        values: { orderNo: "2611260000000001", amount: "123.45", deadline: "2026-11-26 10:05" },
      },
    });
    expect(reminderEventId(PAYMENT_REMINDER, "2611260000000001")).toBe("payment-reminder:2611260000000001");
  });

  it("is suppressed when the order was paid or closed meanwhile", () => {
    expect(
      decideReminder(PAYMENT_REMINDER, facts({ paymentDeadline: at(5), paidAt: NOW }), 5 * MIN, NOW),
    ).toEqual({
      action: "SKIP",
      reason: "paid",
    });
    expect(
      decideReminder(PAYMENT_REMINDER, facts({ paymentDeadline: at(5), closedAt: NOW }), 5 * MIN, NOW),
    ).toEqual({
      action: "SKIP",
      reason: "closed",
    });
  });

  it("is sent once: a second firing finds it sent", () => {
    const sent = facts({ paymentDeadline: at(5), paymentRemindedAt: NOW });
    expect(decideReminder(PAYMENT_REMINDER, sent, 5 * MIN, NOW)).toEqual({ action: "SKIP", reason: "sent" });
  });

  it("is dropped once the deadline passed (a sweeper long after)", () => {
    expect(decideReminder(PAYMENT_REMINDER, facts({ paymentDeadline: at(-1) }), 5 * MIN, NOW)).toEqual({
      action: "SKIP",
      reason: "deadline passed",
    });
  });

  it("waits when the deadline moved out since it was armed", () => {
    expect(decideReminder(PAYMENT_REMINDER, facts({ paymentDeadline: at(30) }), 5 * MIN, NOW)).toEqual({
      action: "WAIT",
      until: at(25),
    });
  });

  it("sends AUTO_CONFIRM_SOON unless the order completed", () => {
    const shipped = facts({ autoConfirmAt: at(60) });
    const decision = decideReminder(AUTO_CONFIRM_REMINDER, shipped, 60 * MIN, NOW);
    expect(decision).toMatchObject({
      action: "SEND",
      intent: {
        node: "AUTO_CONFIRM_SOON",
        eventId: "auto-confirm-reminder:2611260000000001",
        values: { orderNo: "2611260000000001", deadline: "2026-11-26 11:00" },
      },
    });
    expect(decideReminder(AUTO_CONFIRM_REMINDER, { ...shipped, completedAt: NOW }, 60 * MIN, NOW)).toEqual({
      action: "SKIP",
      reason: "completed",
    });
  });
});
