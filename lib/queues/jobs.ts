/**
 * What every queue module shares: job schemas keyed by job name, the parse that turns a BullMQ job into a
 * discriminated union on its name, typed processors, and the job defaults.
 */
import { type Job, type Processor, UnrecoverableError } from "bullmq";
import type { z } from "zod";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";

/** Per job name of a queue, the schema of its data. */
export type JobSchemas = Record<string, z.ZodType>;
export type JobNameOf<S extends JobSchemas> = keyof S & string;
export type JobDataOf<S extends JobSchemas> = z.infer<S[JobNameOf<S>]>;
/** A job whose name is known and whose data passed its schema: switch on `name` and `data` has the right type. */
export type ParsedJob<S extends JobSchemas> = { [K in JobNameOf<S>]: { name: K; data: z.infer<S[K]> } }[JobNameOf<S>];

/** Ids only, never secrets: jobs sit in Redis. One-shot jobs are tried once (dispatch never blindly resends). */
export const ONE_SHOT_JOB = { removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 } as const;
/** Jobs of a periodic scheduler: the next run comes anyway, a short history is enough. */
export const SCHEDULED_JOB = { removeOnComplete: 50, removeOnFail: 50 } as const;

/**
 * Checks a job's name and data against its queue's schemas. A job that fails is malformed for good: retrying it
 * cannot help, so the error is BullMQ's UnrecoverableError.
 */
export function parseJob<S extends JobSchemas>(
  queueName: string,
  schemas: S,
  job: Pick<Job, "name" | "data">,
): ParsedJob<S> {
  if (!Object.hasOwn(schemas, job.name)) throw new UnrecoverableError(`unknown ${queueName} job ${job.name}`);
  const parsed = schemas[job.name].safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${queueName} job ${job.name}: ${parsed.error.message}`);
  return { name: job.name, data: parsed.data } as ParsedJob<S>;
}

/** Business rejections (the request itself is wrong or no longer allowed): the same job would be refused again. */
const REJECTIONS = [ValidationError, NotFoundError, ConflictError, ForbiddenError];

/**
 * A processor typed by its queue's job names and data: parses the job, hands it to `handle` (which calls one
 * service function per job name) and turns business rejections into UnrecoverableError, so BullMQ never retries them.
 */
export function typedProcessor<S extends JobSchemas, R>(
  queueName: string,
  schemas: S,
  handle: (job: ParsedJob<S>) => Promise<R>,
): Processor<JobDataOf<S>, R, JobNameOf<S>> {
  return async (job) => {
    const parsed = parseJob(queueName, schemas, job);
    try {
      return await handle(parsed);
    } catch (e) {
      if (REJECTIONS.some((cls) => e instanceof cls)) throw new UnrecoverableError((e as Error).message);
      throw e;
    }
  };
}
