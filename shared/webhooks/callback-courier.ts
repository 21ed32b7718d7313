/**
 * Runs a sandbox's outgoing callbacks (payment providers, carriers) in the background (now or after a delay) and keeps track of
 * them, so stopping the service waits for deliveries in flight instead of cutting them off.
 */
export class CallbackCourier {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Runs `send` after `delayMs` (0: on the next turn); failures go to `onError` (a real sender would retry). */
  later(send: () => Promise<unknown>, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = send()
        .catch(this.onError)
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Drops callbacks not yet due and waits for those being sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
