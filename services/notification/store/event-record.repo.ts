import type { Queryable } from "../../../shared/db/pool";
import type { DeliveryDraft } from "../domain/delivery-plan";
import type { OrderFacts } from "../domain/reminders";
import { DELIVERIES_INSERT_CTES, PENDING_OF_EVENTS_SQL } from "./delivery.repo";
import { FACTS_UPSERT_SQL, factsOfJson, factsParam, type OrderPatch } from "./order-facts.repo";

/**
 * Events' facts and deliveries in ONE statement, for events whose notification does not depend on
 * the facts stored before: `recordFacts` and `insertDeliveries` as two CTEs of one atomic statement,
 * with no transaction around them. Answers the orders' merged facts and, per event, how many of its
 * deliveries wait PENDING for their adapter.
 */
export async function recordFactsAndDeliveries(
  q: Queryable,
  patches: OrderPatch[],
  eventIds: string[],
  drafts: DeliveryDraft[],
  now: Date,
): Promise<{ facts: Map<string, OrderFacts | null>; pending: Map<string, number> }> {
  const { rows } = await q.query<{
    facts: Record<string, unknown>[];
    pending: { event_id: string; pending: number }[];
  }>(
    `WITH facts AS (${FACTS_UPSERT_SQL("$1")} RETURNING *), ${DELIVERIES_INSERT_CTES("$2", "$3")},
       pending AS (${PENDING_OF_EVENTS_SQL("$4")})
     SELECT (SELECT coalesce(jsonb_agg(to_jsonb(f)), '[]') FROM facts f) AS facts,
       (SELECT coalesce(jsonb_agg(to_jsonb(p)), '[]') FROM pending p) AS pending`,
    [factsParam(patches), JSON.stringify(drafts), now, eventIds],
  );
  const row = rows[0];
  return {
    facts: factsOfJson(row?.facts ?? []),
    pending: new Map((row?.pending ?? []).map((p) => [p.event_id, p.pending])),
  };
}
