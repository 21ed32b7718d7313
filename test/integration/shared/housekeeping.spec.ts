import type { Pool } from "pg";
import { housekeepingCutoffs, purgeOutboxInbox } from "../../../shared/outbox/housekeeping";
import { count, openSchema } from "./harness";

const DAY = 86_400_000;
const NOW = new Date("2026-11-27T04:00:00.000Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

describe("outbox and inbox housekeeping", () => {
  let pool: Pool;

  /** An outbox row created at `at`, published then (or still pending when `published` is false). */
  const outboxRow = (id: number, at: Date, published = true) =>
    pool.query(
      `INSERT INTO outbox (event_id, channel, payload, occurred_at, created_at, published_at)
       VALUES (('00000000-0000-4000-8000-' || lpad($1::text, 12, '0'))::uuid, 'spec.housekeeping', '{}', $2, $2, $3)`,
      [id, at, published ? at : null],
    );
  const inboxRow = (eventId: string, at: Date) =>
    pool.query("INSERT INTO inbox (consumer, event_id, processed_at) VALUES ('spec', $1, $2)", [eventId, at]);
  const outboxLeft = () => count(pool, "SELECT count(*) AS n FROM outbox");
  const inboxLeft = async () =>
    (await pool.query<{ event_id: string }>("SELECT event_id FROM inbox ORDER BY event_id")).rows.map(
      (r) => r.event_id,
    );

  beforeAll(async () => {
    ({ pool } = await openSchema("housekeeping_test"));
  });
  afterAll(async () => {
    await pool?.end();
  });
  beforeEach(async () => {
    await pool.query("TRUNCATE outbox, inbox");
  });

  it("deletes outbox rows published before the retention, never a pending one however old", async () => {
    await outboxRow(1, daysAgo(30));
    await outboxRow(2, daysAgo(8));
    await outboxRow(3, daysAgo(6));
    await outboxRow(4, daysAgo(30), false);
    const cutoffs = housekeepingCutoffs(NOW, { outboxMs: 7 * DAY, inboxMs: 8 * DAY });
    expect(await purgeOutboxInbox(pool, cutoffs)).toEqual({ outbox: 2, inbox: 0 });
    const { rows } = await pool.query<{ id: string; pending: boolean }>(
      "SELECT right(event_id::text, 1) AS id, published_at IS NULL AS pending FROM outbox ORDER BY 1",
    );
    expect(rows).toEqual([
      { id: "3", pending: false },
      { id: "4", pending: true },
    ]);
  });

  it("deletes inbox rows only once no stream can redeliver their event", async () => {
    await inboxRow("e-30d", daysAgo(30));
    await inboxRow("e-9d", daysAgo(9));
    await inboxRow("e-7.5d", daysAgo(7.5));
    await inboxRow("e-1d", daysAgo(1));
    // A retention shorter than a stream's 7 days is raised to 8: a redelivery could still come.
    const cutoffs = housekeepingCutoffs(NOW, { outboxMs: 7 * DAY, inboxMs: 1 * DAY });
    expect(cutoffs.inboxBefore).toEqual(daysAgo(8));
    expect(await purgeOutboxInbox(pool, cutoffs)).toEqual({ outbox: 0, inbox: 2 });
    expect(await inboxLeft()).toEqual(["e-1d", "e-7.5d"]);
    const longer = housekeepingCutoffs(NOW, { outboxMs: 7 * DAY, inboxMs: 30 * DAY });
    expect(longer.inboxBefore).toEqual(daysAgo(30));
  });

  it("works through a backlog in chunks, and two runs at once delete each row once", async () => {
    for (let i = 0; i < 250; i++) {
      await outboxRow(100 + i, daysAgo(10));
      await inboxRow(`old-${i}`, daysAgo(10));
    }
    const cutoffs = housekeepingCutoffs(NOW, { outboxMs: 7 * DAY, inboxMs: 8 * DAY });
    const runs = await Promise.all([
      purgeOutboxInbox(pool, cutoffs, 40),
      purgeOutboxInbox(pool, cutoffs, 40),
    ]);
    expect(runs.reduce((sum, r) => sum + r.outbox, 0)).toBe(250);
    expect(runs.reduce((sum, r) => sum + r.inbox, 0)).toBe(250);
    expect(await outboxLeft()).toBe(0);
    expect(await inboxLeft()).toEqual([]);
  });
});
