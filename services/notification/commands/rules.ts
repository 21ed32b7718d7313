import type { Caller } from "../../../shared/contracts/caller";
import { OmsError } from "../../../shared/errors";
import { NODE_CODES, NODES } from "../domain/nodes";
import { assertNode, type RuleInput, validateRule } from "../domain/rule";
import { readRules, type StoredRule, writeRule } from "../store/rule.repo";
import type { NotificationDeps } from "./notification-deps";

/** Rules and dead letters are for platform operators only (the routes say so too). */
export function assertOperator(caller: Caller): void {
  if (caller.role !== "admin") throw new OmsError("FORBIDDEN", "Only platform operators do this");
}

const present = (r: StoredRule) => ({
  node: r.node,
  title: NODES[r.node].title,
  recipients: r.recipients,
  channels: r.channels,
  template: r.template,
  enabled: r.enabled,
  placeholders: NODES[r.node].placeholders,
  updatedAt: r.updatedAt.toISOString(),
});

/** GET /admin/notification-rules: every node's rule, in the order of the order flow. */
export async function listRules(deps: NotificationDeps, caller: Caller) {
  assertOperator(caller);
  const byNode = new Map((await readRules(deps.pool)).map((r) => [r.node, r]));
  return {
    items: NODE_CODES.map((node) => byNode.get(node))
      .filter((r): r is StoredRule => r !== undefined)
      .map(present),
  };
}

/** GET /admin/notification-rules/{node}. */
export async function getRule(deps: NotificationDeps, caller: Caller, node: string) {
  assertOperator(caller);
  const code = assertNode(node);
  const rule = (await readRules(deps.pool)).find((r) => r.node === code);
  if (!rule) throw new OmsError("NOT_FOUND", "Notification rule not found", { node });
  return present(rule);
}

/** PUT /admin/notification-rules/{node}: replaces the rule; the next event of the node uses it. */
export async function putRule(deps: NotificationDeps, caller: Caller, node: string, input: RuleInput) {
  assertOperator(caller);
  const stored = await writeRule(deps.pool, validateRule(node, input), new Date());
  deps.rulesChanged();
  return present(stored);
}
