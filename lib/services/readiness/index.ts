/**
 * The morning readiness check (docs/readiness.md): before the market opens (once per trading day, at the time the
 * trading calendar gives) and on demand, every active account is checked — broker session, funds against the armed
 * strategies' needs, the live feed, today's contract sizes, today's session, clock skew — and each result is stored,
 * shown on the board, alerted and notified when red. Strategies may require a green account before sending to it.
 */
import { z } from "zod";
import { authorize, allows } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { listAccounts } from "@/lib/db/queries/accounts";
import { latestReadinessFor } from "@/lib/db/queries/readiness";
import { env } from "@/lib/env";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { enqueueReadinessCheck, readinessJobSchemas } from "@/lib/queues/readiness";
import { redis } from "@/lib/redis";
import { sessionOf } from "@/lib/services/calendar";
import { tradingSettings } from "@/lib/services/settings";
import { istDateOf } from "@/lib/trading/calendar";
import { istClock, readinessDue, readinessItemSchema } from "@/lib/trading/readiness";
import { jsonify } from "@/lib/util/jsonify";
import { checkAccount } from "./account-checks";
import { CheckRun, type ReadinessOptions } from "./check-run";
import { clearRunning, markRunning, notifyRed, recordResult, runningAccounts, type AccountResult } from "./outcome";
import { inBatches } from "@/lib/util/in-batches";

export type { ReadinessOptions } from "./check-run";
export { READINESS_ALERT } from "./outcome";

export const readinessCheckRequestSchema = z.strictObject({
  /** These accounts; every active account the caller may check when left out. */
  accountIds: z.array(z.uuid("Not an account id")).min(1).max(500).optional(),
});

/**
 * "Check now": the accounts named (each must be the caller's to check, else 404) or all the caller may check, marked
 * as running on the board at once and checked by the worker.
 */
export async function requestReadinessCheck(
  actor: Actor,
  req: z.infer<typeof readinessCheckRequestSchema>,
  now = new Date(),
): Promise<{ accountIds: string[] }> {
  authorize(actor, "readiness.run");
  const inScope = await listAccounts(scopeOf(actor));
  let targets;
  if (req.accountIds) {
    const byId = new Map(inScope.map((a) => [a.id, a]));
    targets = [...new Set(req.accountIds)].map((id) => {
      const a = byId.get(id);
      if (!a) throw new NotFoundError("Account");
      authorize(actor, "readiness.run", { ownerId: a.ownerId, what: "Account" });
      return a;
    });
    const inactive = targets.find((a) => !a.active);
    if (inactive)
      throw new ValidationError(`${inactive.name} is inactive: only active accounts are checked`, {
        accountIds: ["Inactive account"],
      });
  } else {
    targets = inScope.filter(
      (a) => a.active && allows(actor, "readiness.run", { ownerId: a.ownerId, what: "Account" }),
    );
    if (targets.length === 0)
      throw new ValidationError("No active account to check", { accountIds: ["No active account"] });
  }
  await markRunning(targets, now);
  await enqueueReadinessCheck({ accountIds: targets.map((a) => a.id), trigger: "manual" });
  return { accountIds: targets.map((a) => a.id) };
}

export interface ReadinessSummary {
  runId: string;
  checked: number;
  green: number;
  amber: number;
  red: number;
  /** Owners sent a READINESS notification. */
  notified: number;
}

/** The worker's `check` job: checks the accounts, stores and reports each result, notifies owners of red ones. */
export async function runReadinessCheck(
  data: z.infer<(typeof readinessJobSchemas)["check"]>,
  options: ReadinessOptions = {},
): Promise<ReadinessSummary> {
  const clock = options.now ?? (() => new Date());
  const now = clock();
  const run = await CheckRun.load(data, now, await tradingSettings(), options);
  if (data.trigger === "schedule") await markRunning(run.accounts, now);
  // Named accounts deleted or deactivated since the request: nothing to check, nothing left marked as running.
  const gone = (data.accountIds ?? []).filter((id) => !run.accounts.some((a) => a.id === id));
  await clearRunning(gone);
  let results: AccountResult[];
  try {
    results = await inBatches(run.accounts, run.options.concurrency, async (account) =>
      recordResult(account, await checkAccount(run, account), {
        tradingDate: run.today,
        trigger: data.trigger,
        checkedAt: clock(),
      }),
    );
  } finally {
    await run.release();
  }
  const batchKey = `readiness:${run.today}:${data.trigger === "schedule" ? "schedule" : run.id}`;
  const notified = await notifyRed(results, batchKey, now);
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = {
    runId: run.id,
    checked: results.length,
    green: count("GREEN"),
    amber: count("AMBER"),
    red: count("RED"),
    notified,
  };
  log().info({ ...summary, trigger: data.trigger }, "readiness check done");
  return summary;
}

/** The day's claim: set once per IST date by whichever worker's schedule job gets there first. */
const dayClaim = (date: string) => `md:readiness:day:${date}`;
const CLAIM_TTL_MS = 3 * 24 * 3600_000;

/**
 * The worker's `schedule` job (every minute): starts the day's scheduled check once it is due (READINESS_LEAD_MINUTES
 * before the NFO session opens, per the trading calendar), exactly once per IST date across workers.
 */
export async function runReadinessSchedule(
  now: Date,
  leadMinutes = env().READINESS_LEAD_MINUTES,
): Promise<{ started: boolean; reason: string }> {
  const today = istDateOf(now.getTime());
  const due = readinessDue(await sessionOf("NFO", today), now.getTime(), leadMinutes);
  if (!due.due) return { started: false, reason: due.reason };
  const claimed = await redis().set(dayClaim(today), now.toISOString(), "PX", CLAIM_TTL_MS, "NX");
  if (claimed !== "OK") return { started: false, reason: `already started for ${today}` };
  try {
    await enqueueReadinessCheck({ trigger: "schedule" });
  } catch (e) {
    // Not started after all: the next minute's job claims the day again.
    await redis().del(dayClaim(today));
    throw e;
  }
  log().info({ date: today, dueAt: new Date(due.at).toISOString() }, "scheduled readiness check started");
  return { started: true, reason: `due at ${istClock(due.at)}` };
}

/** The board: the latest check of every active account the reader may see, whether one is running, the schedule. */
export async function readinessBoard(actor: Actor, now = new Date()) {
  authorize(actor, "readiness.read");
  const rows = await latestReadinessFor(scopeOf(actor));
  const running = await runningAccounts(rows.map((r) => r.id));
  const today = istDateOf(now.getTime());
  const session = await sessionOf("NFO", today);
  const lead = env().READINESS_LEAD_MINUTES;
  const due = readinessDue(session, now.getTime(), lead);
  const board = {
    today,
    schedule: due.at
      ? `Scheduled check at ${istClock(due.at)}, ${lead} min before the NFO open`
      : `No scheduled check today: NFO closed${session.description ? ` (${session.description})` : ""}`,
    accounts: rows.map((r) => {
      const c = r.readiness[0];
      const items = c ? z.array(readinessItemSchema).safeParse(c.checks) : null;
      return {
        accountId: r.id,
        name: r.name,
        ownerId: r.ownerId,
        ownerName: r.owner.name,
        isPrimary: r.isPrimary,
        running: running.has(r.id),
        canRun: allows(actor, "readiness.run", { ownerId: r.ownerId, what: "Account" }),
        check: c
          ? {
              status: c.status,
              checkedAt: c.checkedAt,
              tradingDate: c.tradingDate,
              isToday: c.tradingDate === today,
              trigger: c.trigger,
              items: items?.success ? items.data : [],
            }
          : null,
      };
    }),
  };
  return jsonify(board);
}

export type ReadinessBoardJson = Awaited<ReturnType<typeof readinessBoard>>;
export type ReadinessRowJson = ReadinessBoardJson["accounts"][number];
