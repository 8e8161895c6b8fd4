/**
 * Real worker processes for integration tests (never used by product code): `workers/index.ts` started with the
 * test environment, its output kept for failure messages, and what a stuck run looks like when a test gives up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { db } from "@/lib/db/client";
import { queue } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
}

/** Every worker process started by this test file, so `stopWorkerProcesses` can end them. */
const started: ChildProcess[] = [];

/**
 * The real worker process (workers/index.ts). `env` is its whole environment: a test passes its own (`process.env`,
 * which the test runner filled) with its overrides, e.g. `LOG_LEVEL: "warn"` so that its output explains a failure.
 */
export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  let out = "";
  // `node --import tsx` runs the worker in this one process (the tsx CLI would fork a child a SIGKILL never reaches).
  const child = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (out += String(d)));
  child.stderr?.on("data", (d) => (out += String(d)));
  started.push(child);
  return { child, output: () => out };
}

/** Resolves when the process has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );

/** SIGKILLs every worker process this file started that is still running, and waits for them to exit. */
export async function stopWorkerProcesses(): Promise<void> {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(started.map(exited));
  started.length = 0;
}

/** What a stuck run looks like: its unfinished intents and every dispatch job (a failure message, not an assertion). */
export async function diagnoseRun(runId: string): Promise<string> {
  const open = await db().orderIntent.findMany({
    where: { runId, state: { notIn: ["accepted", "reconciled_accepted", "filled", "partially_filled"] } },
    include: { account: { select: { name: true } } },
  });
  const q = queue(QUEUES.dispatch);
  const jobs = await q.getJobs(["active", "waiting", "delayed", "completed", "failed", "prioritized"], 0, 500);
  const rows = await Promise.all(
    jobs.map(
      async (j) =>
        `${j.id} ${j.name} ${await j.getState()} processed=${j.processedOn ?? "-"} finished=${j.finishedOn ?? "-"} ${j.failedReason ?? ""} ${JSON.stringify(j.returnvalue ?? null).slice(0, 200)}`,
    ),
  );
  return [
    `open intents:`,
    ...open.map(
      (i) => `${i.account.name} ${i.phase} ${i.state} sent=${i.sentAt?.toISOString()} by=${i.claimedBy} ${i.reason}`,
    ),
    `jobs:`,
    ...rows,
  ].join("\n");
}
