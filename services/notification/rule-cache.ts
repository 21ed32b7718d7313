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
  private loading: Promise<Map<NodeCode, StoredRule>> | undefined;

  constructor(
    private readonly load: () => Promise<StoredRule[]>,
    private readonly ttlMs = 5_000,
  ) {}

  /**
   * Every rule, loaded when stale (concurrent callers share one load). Take it BEFORE opening a
   * transaction: loading inside one would hold a pooled connection while waiting for another.
   */
  async snapshot(): Promise<Map<NodeCode, StoredRule>> {
    if (this.rules && this.until > Date.now()) return this.rules;
    this.loading ??= this.load()
      .then((rules) => {
        this.rules = new Map(rules.map((r) => [r.node, r]));
        this.until = Date.now() + this.ttlMs;
        return this.rules;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  forget(): void {
    this.rules = undefined;
  }
}
