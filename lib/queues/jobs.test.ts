import { type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConflictError, RateLimitedError } from "@/lib/errors";
import { parseJob, typedProcessor } from "./jobs";

const schemas = { sync: z.object({ accountId: z.uuid() }).strict(), sweep: z.object({}).strict() };
const ACCOUNT = "7f0c3b8e-3f6a-4b7e-9a51-2f3c9a1d2e4b";
// A processor only reads the job's name and data; the rest of BullMQ's Job is not needed to prove the parse.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for any queue's job
const job = (name: string, data: unknown) => ({ name, data }) as unknown as Job<any, any, any>;

describe("queue jobs", () => {
  it("parses a known job into its name and typed data", () => {
    expect(parseJob("fills", schemas, { name: "sync", data: { accountId: ACCOUNT } })).toEqual({
      name: "sync",
      data: { accountId: ACCOUNT },
    });
  });

  it("refuses an unknown job name or malformed data for good (UnrecoverableError: a retry cannot help)", () => {
    expect(() => parseJob("fills", schemas, { name: "toString", data: {} })).toThrow(UnrecoverableError);
    expect(() => parseJob("fills", schemas, { name: "nope", data: {} })).toThrow(/unknown fills job nope/);
    expect(() => parseJob("fills", schemas, { name: "sync", data: { accountId: "x" } })).toThrow(UnrecoverableError);
    expect(() => parseJob("fills", schemas, { name: "sweep", data: { extra: 1 } })).toThrow(UnrecoverableError);
  });

  it("turns business rejections into UnrecoverableError with the same message, and lets transient errors through", async () => {
    const rejecting = typedProcessor("fills", schemas, async (): Promise<string> => {
      throw new ConflictError("exit already done");
    });
    const err = await rejecting(job("sweep", {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe("exit already done");

    const limited = typedProcessor("fills", schemas, async (): Promise<string> => {
      throw new RateLimitedError("slow down", 1);
    });
    const transient = await limited(job("sweep", {})).catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(RateLimitedError);
    expect(transient).not.toBeInstanceOf(UnrecoverableError);
  });

  it("hands the handler the parsed job, discriminated by name", async () => {
    const seen: string[] = [];
    const processor = typedProcessor("fills", schemas, async (j) => {
      if (j.name === "sync") seen.push(j.data.accountId);
      return j.name;
    });
    expect(await processor(job("sync", { accountId: ACCOUNT }))).toBe("sync");
    expect(seen).toEqual([ACCOUNT]);
  });
});
