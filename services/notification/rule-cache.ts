import type { NodeCode } from "./domain/nodes";
import type { StoredRule } from "./store/rule.repo";

/**
 * Every node's rule kept in memory for a few seconds: read on every event, edited now and
 * then. An edit forgets the copy here at once and on other pods by a broadcast; the TTL
 * bounds a missed broadcast.
 */
export class RuleCache {
  private rules: Map<NodeCode, StoredRule> | undefined;
  private until = 0;

  constructor(
    private readonly load: () => Promise<StoredRule[]>,
    private readonly ttlMs = 5_000,
  ) {}

  /** The node's rule; undefined only if its row was deleted by hand. */
  async get(node: NodeCode): Promise<StoredRule | undefined> {
    if (!this.rules || this.until <= Date.now()) {
      const rules = await this.load();
      this.rules = new Map(rules.map((r) => [r.node, r]));
      this.until = Date.now() + this.ttlMs;
    }
    return this.rules.get(node);
  }

  forget(): void {
    this.rules = undefined;
  }
}
