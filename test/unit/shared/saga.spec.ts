import { runSaga, SagaFailed, type SagaStep, undoThenRethrow } from "../../../shared/saga/saga";

type Ctx = { log: string[]; value?: number };

function step(
  name: string,
  opts: { fail?: boolean; failUndo?: boolean; noUndo?: boolean } = {},
): SagaStep<Ctx, object, string> {
  return {
    name,
    async invoke(ctx) {
      if (opts.fail) throw new Error(`${name} failed`);
      ctx.log.push(`do ${name}`);
      return { output: { value: ctx.log.length }, compensation: opts.noUndo ? null : name };
    },
    async compensate(comp, ctx) {
      if (opts.failUndo) throw new Error(`undo ${comp} failed`);
      ctx.log.push(`undo ${comp}`);
    },
  };
}

describe("runSaga", () => {
  it("runs every step in order and merges outputs into the context", async () => {
    const ctx = await runSaga([step("a"), step("b")], { log: [] });
    expect(ctx.log).toEqual(["do a", "do b"]);
    expect(ctx.value).toBe(2);
  });

  it("compensates the done steps in reverse order and rethrows the original error", async () => {
    const ctx: Ctx = { log: [] };
    await expect(runSaga([step("a"), step("b"), step("c", { fail: true })], ctx)).rejects.toThrow("c failed");
    expect(ctx.log).toEqual(["do a", "do b", "undo b", "undo a"]);
  });

  it("skips steps that returned no compensation", async () => {
    const ctx: Ctx = { log: [] };
    await expect(
      runSaga([step("a"), step("b", { noUndo: true }), step("c", { fail: true })], ctx),
    ).rejects.toThrow();
    expect(ctx.log).toEqual(["do a", "do b", "undo a"]);
  });

  it("keeps compensating when one undo fails and reports it", async () => {
    const ctx: Ctx = { log: [] };
    const err = await runSaga(
      [step("a"), step("b", { failUndo: true }), step("c", { fail: true })],
      ctx,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(SagaFailed);
    expect(err.step).toBe("c");
    expect(err.compensationErrors.map((e: { step: string }) => e.step)).toEqual(["b"]);
    expect(ctx.log).toEqual(["do a", "do b", "undo a"]);
  });

  it("tells each undo whether every later step was undone", async () => {
    const seen: string[] = [];
    const watching = (name: string, failUndo = false): SagaStep<Ctx, object, string> => ({
      ...step(name),
      async compensate(comp, _ctx, laterUndone) {
        seen.push(`${comp} ${laterUndone}`);
        if (failUndo) throw new Error(`undo ${comp} failed`);
      },
    });
    await expect(
      runSaga([watching("a"), watching("b"), watching("c", true), step("d", { fail: true })], { log: [] }),
    ).rejects.toBeInstanceOf(SagaFailed);
    expect(seen).toEqual(["c true", "b false", "a false"]);
  });

  it("counts a failing step's own failed undo as a failed undo, and rethrows the step's error", async () => {
    const seen: boolean[] = [];
    const first: SagaStep<Ctx, object, string> = {
      ...step("a"),
      async compensate(_comp, _ctx, laterUndone) {
        seen.push(laterUndone);
      },
    };
    const partial: SagaStep<Ctx, object, string> = {
      ...step("b"),
      async invoke() {
        return undoThenRethrow(new Error("b failed"), async () => Promise.reject(new Error("undo b failed")));
      },
    };
    const err = await runSaga([first, partial], { log: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(SagaFailed);
    expect(err.cause.message).toBe("b failed");
    expect(err.compensationErrors.map((e: { error: Error }) => e.error.message)).toEqual(["undo b failed"]);
    expect(seen).toEqual([false]);
    // A self-undo that works rethrows the step's own error unchanged.
    await expect(undoThenRethrow(new Error("c failed"), async () => undefined)).rejects.toThrow("c failed");
  });

  it("lets a hook fail a chosen step before it runs", async () => {
    const ctx: Ctx = { log: [] };
    const hook = (name: string) => {
      if (name === "b") throw new Error("injected");
    };
    await expect(runSaga([step("a"), step("b"), step("c")], ctx, hook)).rejects.toThrow("injected");
    expect(ctx.log).toEqual(["do a", "undo a"]);
  });
});
