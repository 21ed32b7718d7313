import { OmsError } from "../../../shared/errors";
import { RetryScript } from "./script-reply";

/** How a caller waits for a rebuild; `onNotReady` is told when the counters are missing (a rebuild is due). */
export interface ScriptRunOptions {
  /** How long a call waits for a rebuild to finish before answering SERVICE_UNAVAILABLE. */
  notReadyWaitMs?: number;
  onNotReady?: () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a script until it answers: waits out a rebuild (NOT_READY), re-reads on a stale record (STALE). */
export async function runScript<T>(
  o: ScriptRunOptions,
  call: () => Promise<string>,
  parse: (raw: string) => T,
): Promise<T> {
  const deadline = Date.now() + (o.notReadyWaitMs ?? 5_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return parse(await call());
    } catch (err) {
      if (!(err instanceof RetryScript)) throw err;
      if (err.reason === "NOT_READY") o.onNotReady?.();
      if (Date.now() > deadline || attempt > 1000)
        throw new OmsError("SERVICE_UNAVAILABLE", "Stock counters are being rebuilt; try again", {});
      await sleep(err.reason === "NOT_READY" ? 50 : 0);
    }
  }
}
