/**
 * Fill tracking's schedule and its queue. Accounts with unsettled intents are polled by the fill poller of every
 * worker process (lib/services/fills/poller.ts), from one schedule in Redis:
 *
 * - `md:fills:due`: a sorted set, account → when its next poll is due (ms);
 * - `md:fills:leases`: a sorted set, account → until when a poller holds it (ms).
 *
 * A poller claims due accounts atomically (one script for all of them), so two pollers never poll one account at
 * once; a claim that is never finished (the worker died) expires with its lease and the account is due again. A poll
 * asked for while an account is claimed (dispatch sent there, an order update arrived) is kept: the claim's holder
 * sees it when it finishes and leaves the account due. docs/performance.md "Fill tracking" says why this is not one
 * BullMQ job per poll.
 *
 * The BullMQ queue `fills` only carries the slow backstop `sweep` (every 15 s: every account with unsettled intents
 * is in the schedule, none without), and `sync`, the jobs of the per-account job schedulers an older version kept:
 * such a job moves its account into the schedule and removes its scheduler.
 */
import { z } from "zod";
import { luaScript, redis } from "@/lib/redis";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const FILLS_QUEUE = "fills";

/** A job of an older version's per-account scheduler. */
export const fillsJobSchema = z.object({ accountId: z.uuid() }).strict();
export type FillsJob = z.infer<typeof fillsJobSchema>;
/** The backstop sweep carries nothing: it scans the database. */
export const fillsSweepJobSchema = z.object({}).strict();

export const fillsJobSchemas = { sync: fillsJobSchema, sweep: fillsSweepJobSchema };
export type FillsJobName = keyof typeof fillsJobSchemas;
export type FillsQueueData = FillsJob | z.infer<typeof fillsSweepJobSchema>;

const fillsQueue = () => queue<FillsQueueData, FillsJobName>(FILLS_QUEUE);

/** Poll period of an account with unsettled intents, ms (every 1 s). */
export const FILL_POLL_MS = 1_000;
/** Backstop sweep period, ms: puts every account with unsettled intents into the schedule. */
export const FILL_SWEEP_MS = 15_000;

const DUE_KEY = "md:fills:due";
const LEASES_KEY = "md:fills:leases";
const LEGACY_PREFIX = "fills:";
export const FILL_SWEEP_SCHEDULER = "fills-sweep";

/**
 * Asks for a poll of each account at `at` (now by default), or earlier if one is due earlier already. An account
 * claimed right now keeps its claim; its holder leaves it due when it finishes.
 */
export async function scheduleFillPolls(accountIds: string | readonly string[], at = Date.now()): Promise<void> {
  const ids = typeof accountIds === "string" ? [accountIds] : accountIds;
  if (ids.length === 0) return;
  await redis().zadd(DUE_KEY, "LT", ...ids.flatMap((id) => [String(at), id]));
}

/** Takes the account out of the schedule (a poll running now may still put it back if it finds something open). */
export async function unscheduleFillPolls(accountId: string): Promise<void> {
  await redis().zrem(DUE_KEY, accountId);
}

/** Accounts in the schedule (claimed or not). */
export async function scheduledFillAccounts(): Promise<string[]> {
  return redis().zrange(DUE_KEY, "0", "-1");
}

/** Accounts claimed by a poller now (their lease not expired at `now`). */
export async function claimedFillAccounts(now = Date.now()): Promise<string[]> {
  return redis().zrangebyscore(LEASES_KEY, `(${now}`, "+inf");
}

// Expired claims are dropped first (their holders' finishes then find them lost). Due accounts not claimed are claimed until now + lease: the lease is both the claim's
// token and the account's parked due time. One asked for again while claimed elsewhere is parked just before that
// claim ends (below its token, so the holder sees the request).
const CLAIM = luaScript(`
local now = tonumber(ARGV[1])
local untilMs = now + tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local out = {}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if limit <= 0 then return out end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit * 2 + 16)
for _, acc in ipairs(due) do
  if #out >= limit then break end
  local lease = tonumber(redis.call('ZSCORE', KEYS[2], acc) or '0')
  if lease > now then
    redis.call('ZADD', KEYS[1], lease - 1, acc)
  else
    redis.call('ZADD', KEYS[2], untilMs, acc)
    redis.call('ZADD', KEYS[1], untilMs, acc)
    table.insert(out, acc)
  end
end
return out`);

/** A claim of one account: finish it with its token (the lease's end). */
export interface FillClaim {
  accountId: string;
  token: number;
}

/** Claims up to `limit` accounts due at `now` for `leaseMs`. */
export async function claimDueFillPolls(now: number, limit: number, leaseMs: number): Promise<FillClaim[]> {
  const ids = (await CLAIM(redis(), 2, DUE_KEY, LEASES_KEY, now, leaseMs, limit)) as string[];
  return ids.map((accountId) => ({ accountId, token: now + leaseMs }));
}

// Ends a claim if it is still this holder's (its lease unchanged). A poll asked for meanwhile (the due time moved
// below the token: asked directly, or parked by a claim attempt while this one held it) leaves the account due at
// once, ARGV[4]: the sync that just ended may have read the book before what was asked for. Otherwise the account is
// due again at ARGV[3], or leaves the schedule when ARGV[3] is empty.
// Returns 0 (the claim was lost), 1 (rescheduled or removed), 2 (due at once: asked for meanwhile).
const FINISH = luaScript(`
local lease = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not lease or tonumber(lease) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if cur and tonumber(cur) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  return 2
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1`);

export type FinishOutcome = "lost" | "done" | "asked_again";

/**
 * Ends a claim at `now`: next poll due at `nextAt`, or (null) out of the schedule — unless a poll was asked for
 * meanwhile, which makes it due at `now`.
 */
export async function finishFillPoll(
  claim: FillClaim,
  nextAt: number | null,
  now = Date.now(),
): Promise<FinishOutcome> {
  const r = await FINISH(redis(), 2, DUE_KEY, LEASES_KEY, claim.accountId, claim.token, nextAt ?? "", now);
  return r === 0 ? "lost" : r === 2 ? "asked_again" : "done";
}

// Removes accounts whose due time is still the one read (nobody asked for a poll since) and that nobody holds.
const DROP = luaScript(`
local now = tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV, 2 do
  local cur = redis.call('ZSCORE', KEYS[1], ARGV[i])
  local lease = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[i]) or '0')
  if cur and tonumber(cur) == tonumber(ARGV[i + 1]) and lease <= now then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('ZREM', KEYS[2], ARGV[i])
    n = n + 1
  end
end
return n`);

/** The schedule as read now: account → due time. */
export async function fillSchedule(): Promise<Map<string, number>> {
  const flat = await redis().zrange(DUE_KEY, "0", "-1", "WITHSCORES");
  const out = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) out.set(flat[i], Number(flat[i + 1]));
  return out;
}

/** Drops accounts from the schedule whose due time is unchanged since `read` and that no poller holds. */
export async function dropUnchangedFillPolls(read: ReadonlyMap<string, number>, now = Date.now()): Promise<number> {
  if (read.size === 0) return 0;
  const args = [...read].flatMap(([id, at]) => [id, String(at)]);
  return (await DROP(redis(), 2, DUE_KEY, LEASES_KEY, String(now), ...args)) as number;
}

/** Removes the per-account job schedulers an older version kept (`fills:<account>`); returns their accounts. */
export async function removeLegacyFillSchedulers(): Promise<string[]> {
  const all = await fillsQueue().getJobSchedulers(0, -1);
  const ids = all.map((s) => s.key).filter((k) => k.startsWith(LEGACY_PREFIX));
  await Promise.all(ids.map((id) => fillsQueue().removeJobScheduler(id)));
  return ids.map((k) => k.slice(LEGACY_PREFIX.length));
}

export async function scheduleFillSweep(everyMs = FILL_SWEEP_MS): Promise<void> {
  await upsertScheduler(FILLS_QUEUE, FILL_SWEEP_SCHEDULER, everyMs, { name: "sweep", data: {}, opts: SCHEDULED_JOB });
}
