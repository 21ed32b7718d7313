import { DelayedError, type Job, type JobsOptions, Queue, type RedisOptions, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { Coalescer, inBatches } from "../batching/coalescer";
import type { AppConfig } from "../config/config";
import { createRedis } from "../redis";
import { assertTimerKind, delayUntil, sweeperJobName, timerJobId } from "./timer-id";

/** What a timer handler receives; `firedAt` is the `now` to hand to domain functions. */
export interface FiredTimer<T = unknown> {
  kind: string;
  key: string;
  data: T;
  firedAt: Date;
}

/** A handler may return `rearmAt` to fire the same timer again (calling `schedule` from inside it is a no-op). */
export type TimerOutcome = { rearmAt: Date | number } | undefined;

/** Business timer handler; it must re-read state, since a job can fire late or more than once. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets plain `async () => {}` handlers (Promise<void>) fit.
export type TimerHandler<T = unknown> = (timer: FiredTimer<T>) => Promise<TimerOutcome | void>;

/** Periodic sweeper body, e.g. "find overdue orders a lost job missed". */
export type Sweeper = (firedAt: Date) => Promise<void>;

/** The logger methods used (Moleculer's logger and `console` both fit). */
export interface TimersLogger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Construction options of `Timers`. */
export interface TimersOptions {
  /** An ioredis instance with `maxRetriesPerRequest: null` (BullMQ throws otherwise), or options BullMQ connects with. */
  connection: Redis | RedisOptions;
  /**
   * The connection the queue's commands (arming, cancelling, reading a timer's state) go over; default
   * `connection`. With ioredis auto-pipelining, the commands of many orders in one turn of the event
   * loop share a round trip. The worker never uses it (BullMQ's workers are not run auto-pipelined).
   */
  queueConnection?: Redis;
  /** Quit the `connection` and `queueConnection` instances in `stop()`; BullMQ never closes an instance it was given. */
  ownsConnection?: boolean;
  /** BullMQ key prefix, see `timersPrefix`. */
  prefix: string;
  /** One queue per service, e.g. "order-timers". */
  queueName: string;
  logger?: TimersLogger;
  /** Runs per timer before it is left failed; default 5. */
  attempts?: number;
  /** First retry delay; doubles on each retry. Default 1000. */
  backoffMs?: number;
  /** Handlers running at once per instance; default 4. */
  concurrency?: number;
}

interface TimerJobData {
  key: string;
  data: unknown;
}

/** One job of `Queue.addBulk`. */
interface ArmedJob {
  name: string;
  data: TimerJobData;
  opts: JobsOptions;
}

// Failed jobs are kept a week for inspection; schedule() clears one before re-arming its id.
const FAILED_RETENTION = { age: 7 * 24 * 3600 };
const PENDING_STATES: ReadonlySet<string> = new Set(["delayed", "waiting", "prioritized"]);

/** BullMQ prefix under the run's Redis prefix, so test runs never share queues: `oms:bull`. */
export function timersPrefix(cfg: Pick<AppConfig, "redisPrefix">): string {
  return `${cfg.redisPrefix}bull`;
}

/** A `Timers` on its own Redis connections from the config (the queue's auto-pipelined), closed by `stop()`. */
export function createTimers(
  cfg: Pick<AppConfig, "redisUrl" | "redisPrefix">,
  queueName: string,
  options: Partial<
    Omit<TimersOptions, "connection" | "queueConnection" | "ownsConnection" | "queueName">
  > = {},
): Timers {
  return new Timers({
    prefix: timersPrefix(cfg),
    ...options,
    queueName,
    connection: createRedis(cfg),
    queueConnection: createRedis(cfg, { enableAutoPipelining: true }),
    ownsConnection: true,
  });
}

/** Durable business timers of one service: delayed BullMQ jobs with ids derived from kind + key. */
export class Timers {
  private readonly queue: Queue<TimerJobData>;
  private readonly arms: Coalescer<ArmedJob, void>;
  private readonly handlers = new Map<string, TimerHandler>();
  private readonly sweepers = new Map<string, Sweeper>();
  private readonly log: TimersLogger;
  private worker: Worker<TimerJobData> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: TimersOptions) {
    this.log = options.logger ?? console;
    this.queue = new Queue<TimerJobData>(options.queueName, {
      connection: options.queueConnection ?? options.connection,
      prefix: options.prefix,
    });
    this.queue.on("error", (err) => this.log.error(`timers queue ${options.queueName}:`, err));
    // Arms of many orders at once go out as one MULTI (one round trip), and wake the worker once.
    this.arms = new Coalescer(inBatches((jobs: ArmedJob[]) => this.queue.addBulk(jobs)));
  }

  /** Arms a timer unless one with this kind + key is pending or running; true when this call armed it. */
  async schedule<T>(kind: string, key: string, fireAt: Date | number, data: T): Promise<boolean> {
    const id = timerJobId(kind, key);
    const state = await this.queue.getJobState(id);
    // A kept failed job still owns the id and would make add() a silent no-op.
    if (state === "failed" || state === "completed") await this.queue.remove(id);
    else if (state !== "unknown") return false;
    await this.queue.add(kind, { key, data }, this.jobOptions(id, fireAt));
    return true;
  }

  /**
   * Arms a timer whose key was never used before (a new order's timeout): one
   * round trip, no state check. An id still held by a kept failed job makes it
   * a silent no-op, so use `schedule` for keys that may have run before.
   * Arms made while another is on its way go out together in one round trip.
   */
  arm<T>(kind: string, key: string, fireAt: Date | number, data: T): Promise<void> {
    const id = timerJobId(kind, key);
    return this.arms.submit({ name: kind, data: { key, data }, opts: this.jobOptions(id, fireAt) });
  }

  /** Replaces the pending timer (or arms a new one) to fire at `fireAt` with `data`; throws while it runs. */
  async reschedule<T>(kind: string, key: string, fireAt: Date | number, data: T): Promise<void> {
    const id = timerJobId(kind, key);
    // remove() answers 0 only for a locked (running) job; a missing one counts as removed.
    if ((await this.queue.remove(id)) !== 1) {
      throw new Error(`Timer ${id} is running; return { rearmAt } from its handler to fire it again`);
    }
    await this.queue.add(kind, { key, data }, this.jobOptions(id, fireAt));
  }

  /** Removes a pending timer; false when there was none or it is already running. */
  async cancel(kind: string, key: string): Promise<boolean> {
    const id = timerJobId(kind, key);
    if (!PENDING_STATES.has(await this.queue.getJobState(id))) return false;
    return (await this.queue.remove(id)) === 1;
  }

  /** Whether a timer is armed and has not started firing yet. */
  async isScheduled(kind: string, key: string): Promise<boolean> {
    return PENDING_STATES.has(await this.queue.getJobState(timerJobId(kind, key)));
  }

  /** Registers the handler of one timer kind; register every kind before `start()`. */
  handle<T>(kind: string, handler: TimerHandler<T>): this {
    assertTimerKind(kind);
    this.handlers.set(kind, handler as TimerHandler);
    return this;
  }

  /**
   * Runs `sweep` every `intervalMs` on one pod in total per tick (a BullMQ job scheduler, shared by
   * name); a new scheduler ticks at once, an existing one keeps its pace. An interval of 0 removes
   * the scheduler (turned off).
   */
  async every(name: string, intervalMs: number, sweep: Sweeper): Promise<void> {
    const id = sweeperJobName(name);
    if (intervalMs <= 0) {
      await this.queue.removeJobScheduler(id);
      return;
    }
    this.sweepers.set(id, sweep);
    // No retries: the next tick is the retry, and a late retry would overlap it.
    await this.queue.upsertJobScheduler(
      id,
      { every: intervalMs },
      { name: id, opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } } },
    );
  }

  /** Starts the worker that fires this queue's timers and sweeper ticks. */
  async start(): Promise<void> {
    if (this.worker) return;
    const { queueName, connection, prefix, concurrency = 4 } = this.options;
    this.worker = new Worker<TimerJobData>(queueName, (job, token) => this.fire(job, token), {
      connection,
      prefix,
      concurrency,
    });
    this.worker.on("error", (err) => this.log.error(`timers worker ${queueName}:`, err));
    this.worker.on("failed", (job, err) => {
      this.log.warn(`timer ${job?.id} failed (attempt ${job?.attemptsMade}):`, err.message);
    });
    await this.worker.waitUntilReady();
  }

  /** Waits for running handlers, then closes the worker, the queue and an owned connection. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    const { connection, queueConnection, ownsConnection } = this.options;
    if (!ownsConnection) return;
    if ("quit" in connection) await connection.quit();
    await queueConnection?.quit();
  }

  private async fire(job: Job<TimerJobData>, token: string | undefined): Promise<void> {
    const firedAt = new Date();
    const sweep = this.sweepers.get(job.name);
    if (sweep) return sweep(firedAt);
    const handler = this.handlers.get(job.name);
    // Thrown, not skipped: during a rolling deploy another pod may know the kind by the next attempt.
    if (!handler) throw new Error(`No handler for timer kind "${job.name}" on ${this.options.queueName}`);
    const outcome = await handler({ kind: job.name, key: job.data.key, data: job.data.data, firedAt });
    if (outcome?.rearmAt === undefined || token === undefined) return;
    // Moving the running job back to delayed keeps its id; a fresh add() would hit the running job.
    await job.moveToDelayed(Date.now() + delayUntil(outcome.rearmAt), token);
    throw new DelayedError();
  }

  private jobOptions(jobId: string, fireAt: Date | number): JobsOptions {
    const { attempts = 5, backoffMs = 1000 } = this.options;
    return {
      jobId,
      delay: delayUntil(fireAt),
      attempts,
      backoff: { type: "exponential", delay: backoffMs },
      // Frees the id once fired, so the same kind + key can be armed again later.
      removeOnComplete: true,
      removeOnFail: FAILED_RETENTION,
    };
  }
}
