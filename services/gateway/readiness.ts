/** The outcome of one dependency check. */
export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

/** Runs a check with a deadline, so a hung dependency makes /ready fail rather than hang. */
export async function timedCheck(check: () => Promise<unknown>, timeoutMs = 2000): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Ready when every dependency answers and every required service is seen by the broker. */
export function readinessReport(
  checks: Record<string, CheckResult>,
  seen: readonly string[],
  required: readonly string[],
): { ready: boolean; checks: Record<string, CheckResult>; services: string[]; missingServices: string[] } {
  const services = [...new Set(seen)].sort();
  const missingServices = required.filter((name) => !services.includes(name));
  const ready = Object.values(checks).every((c) => c.ok) && missingServices.length === 0;
  return { ready, checks, services, missingServices };
}
