/**
 * A saga: steps run in order; when one fails, the steps already done are
 * compensated in reverse order, each with the least its undo needs.
 * Both halves must be idempotent (keyed by the saga's id and the step name),
 * so a crashed saga can be compensated again by a sweeper.
 */
export interface SagaStep<Ctx, Out, Comp> {
  /** Stable kebab-case name, part of the idempotency key. */
  name: string;
  invoke(ctx: Ctx): Promise<{ output: Out; compensation: Comp | null }>;
  /** `laterUndone`: every step done after this one was undone (false when an undo failed). */
  compensate(compensation: Comp, ctx: Ctx, laterUndone: boolean): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: steps of one saga have different output types
export type AnySagaStep<Ctx> = SagaStep<Ctx, any, any>;

/** Called before each step; tests use it to make a chosen step fail. */
export type BeforeStepHook = (stepName: string) => void | Promise<void>;

/** A failure of one step, after every earlier step was compensated. */
export class SagaFailed extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
    readonly compensationErrors: { step: string; error: unknown }[],
  ) {
    super(`Saga failed at step ${step}`);
  }
}

/** Thrown by a step that failed and could not undo its own partial effect either. */
export class SelfUndoFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly undoError: unknown,
  ) {
    super("step failed and its undo failed too");
  }
}

/**
 * For a failing step whose effect may have partly happened: undoes it, then rethrows `err`; when
 * the undo fails, the saga counts it as a failed undo (the earlier steps hear it).
 */
export async function undoThenRethrow(err: unknown, undo: () => Promise<unknown>): Promise<never> {
  try {
    await undo();
  } catch (undoError) {
    throw new SelfUndoFailed(err, undoError);
  }
  throw err;
}

/**
 * Runs `steps` against a context that each step may extend through its output.
 * On failure compensates the done steps (reverse order, best effort, every
 * error collected) and rethrows the original error.
 */
export async function runSaga<Ctx extends object>(
  steps: readonly AnySagaStep<Ctx>[],
  ctx: Ctx,
  beforeStep?: BeforeStepHook,
): Promise<Ctx> {
  const done: { step: AnySagaStep<Ctx>; compensation: unknown }[] = [];
  for (const step of steps) {
    try {
      await beforeStep?.(step.name);
      const { output, compensation } = await step.invoke(ctx);
      if (output && typeof output === "object") Object.assign(ctx, output);
      done.push({ step, compensation });
    } catch (err) {
      const selfUndo = err instanceof SelfUndoFailed ? [{ step: step.name, error: err.undoError }] : [];
      const cause = err instanceof SelfUndoFailed ? err.cause : err;
      const compensationErrors = await compensateAll(done, ctx, selfUndo);
      if (compensationErrors.length > 0) throw new SagaFailed(step.name, cause, compensationErrors);
      throw cause;
    }
  }
  return ctx;
}

async function compensateAll<Ctx>(
  done: { step: AnySagaStep<Ctx>; compensation: unknown }[],
  ctx: Ctx,
  errors: { step: string; error: unknown }[],
): Promise<{ step: string; error: unknown }[]> {
  for (const { step, compensation } of [...done].reverse()) {
    if (compensation === null || compensation === undefined) continue;
    try {
      await step.compensate(compensation, ctx, errors.length === 0);
    } catch (error) {
      errors.push({ step: step.name, error });
    }
  }
  return errors;
}
