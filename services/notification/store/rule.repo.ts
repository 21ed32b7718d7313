import type { Queryable } from "../../../shared/db/pool";
import type { Channel, NodeCode, Recipient, Rule } from "../domain/nodes";

/** A rule as stored, with when it last changed. */
export interface StoredRule extends Rule {
  updatedAt: Date;
}

interface RuleRow {
  node: NodeCode;
  recipients: Recipient[];
  channels: Channel[];
  template: string;
  enabled: boolean;
  updated_at: Date;
}

const toRule = (r: RuleRow): StoredRule => ({
  node: r.node,
  recipients: r.recipients,
  channels: r.channels,
  template: r.template,
  enabled: r.enabled,
  updatedAt: r.updated_at,
});

/** Every node's rule. */
export async function readRules(q: Queryable): Promise<StoredRule[]> {
  const { rows } = await q.query<RuleRow>("SELECT * FROM rules ORDER BY node");
  return rows.map(toRule);
}

/** Replaces a node's rule (an operator's edit). */
export async function writeRule(q: Queryable, rule: Rule, now: Date): Promise<StoredRule> {
  const { rows } = await q.query<RuleRow>(
    `INSERT INTO rules (node, recipients, channels, template, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (node) DO UPDATE SET recipients = EXCLUDED.recipients, channels = EXCLUDED.channels,
       template = EXCLUDED.template, enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [rule.node, rule.recipients, rule.channels, rule.template, rule.enabled, now],
  );
  return toRule(rows[0] as RuleRow);
}
