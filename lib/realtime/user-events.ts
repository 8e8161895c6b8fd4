/**
 * Per-owner live events toward the user stream (`/api/stream`, docs/live-streams.md "The user stream"): run and
 * intent progress, account status, alerts, kill-switch changes and in-app notifications. Every event gets a sequence number from one
 * counter, is appended to a short capped log of its owner (and to the all-owners log admins follow) and published
 * on the matching channels — all in one Lua script, so log order, channel order and sequence order agree.
 * intent progress, account status, alerts, kill-switch changes and risk events. Every event gets a sequence number
 * from one counter, is appended to a short capped log of its owner (and to the all-owners log admins follow) and
 * published on the matching channels — all in one Lua script, so log order, channel order and sequence order agree.
 *
 * A reconnecting stream subscribes first, then replays the logs after its `Last-Event-ID`, then drops live events
 * it already replayed (their sequence is not above the last one sent). When a log was trimmed past that id, the
 * stream cannot fill the gap and tells the browser to re-read everything (`resync`).
 *
 * Events carry ids, states and names, never secrets. Prices are state, not events: they are not logged here.
 */
import { z } from "zod";
import { coalescer } from "@/lib/db/queries/coalesce";
import { channel, luaScript, redis } from "@/lib/redis";
import { fanout } from "@/lib/realtime/redis-fanout";
import { runEventSchema, type RunEvent } from "@/lib/realtime/run-events";
import { accountOwnerIds } from "@/lib/db/queries/accounts";
import { runOwnerIds } from "@/lib/db/queries/runs";

/** Events each log keeps; a client away for longer than this many of its owners' events re-reads everything. */
export const USER_LOG_MAX = 500;
/** A log nobody wrote to for a day is dropped. */
const LOG_TTL_MS = 24 * 3600 * 1000;

export const USER_EVENTS = {
  seq: "md:user-events:seq",
  channel: (ownerId: string) => channel(`md:user-events:${ownerId}`),
  log: (ownerId: string) => `md:user-log:${ownerId}`,
  allChannel: () => channel("md:user-events:all"),
  allLog: "md:user-log:all",
  /** Hash: log key → highest sequence trimmed away from it. */
  trimmed: "md:user-log:trimmed",
} as const;

const accountEventSchema = z.object({
  type: z.literal("account"),
  accountId: z.string(),
  /** What changed: health (status), or the account set itself (created, edited, removed). */
  change: z.enum(["status", "edited"]),
  status: z.string().nullable(),
  at: z.string(),
});
const alertEventSchema = z.object({
  type: z.literal("alert"),
  alertId: z.string().nullable(),
  accountId: z.string().nullable(),
  change: z.enum(["raised", "resolved"]),
  at: z.string(),
});
const killSwitchEventSchema = z.object({
  type: z.literal("kill-switch"),
  /** true when engaged, false when re-armed. */
  engaged: z.boolean(),
  /** Whose switch: an owner id, or null for the global one. */
  ownerId: z.string().nullable(),
  at: z.string(),
});

/**
 * Readiness checks started (RUNNING: one event per owner and run, `accountId` null when it covers several accounts) or
 * an account's check finished with its level (docs/readiness.md "The board").
 */
const readinessEventSchema = z.object({
  type: z.literal("readiness"),
  accountId: z.string().nullable(),
  status: z.enum(["RUNNING", "GREEN", "AMBER", "RED"]),
  at: z.string(),
});

const notificationEventSchema = z.object({
  type: z.literal("notification"),
  /** An in-app message delivered to its user (docs/notifications.md): the bell re-reads its list. */
  notificationId: z.string(),
  kind: z.string(),
  at: z.string(),
});

/** A risk event was written (a trigger, a skip, a person's change) or a run's rules changed (docs/risk.md "API"). */
const riskEventSchema = z.object({
  type: z.literal("risk"),
  /** The run concerned; null for an account's daily loss limit. */
  runId: z.string().nullable(),
  change: z.enum(["event", "rules"]),
});

export const userEventSchema = z.union([
  runEventSchema,
  accountEventSchema,
  alertEventSchema,
  killSwitchEventSchema,
  readinessEventSchema,
  notificationEventSchema,
  riskEventSchema,
]);
export type UserEvent = z.infer<typeof userEventSchema>;

/** A logged event as streams see it: its sequence (the SSE id) and whose it is. */
export interface LoggedUserEvent {
  seq: number;
  ownerId: string;
  event: UserEvent;
}

// KEYS: seq counter, trimmed hash, all-owners log, all-owners channel, then one (log, channel) pair per event.
// ARGV: max length, ttl ms, then one (payload JSON, owner id) pair per event. Returns the last sequence handed out.
const PUBLISH = luaScript(`
local max = tonumber(ARGV[1])
local touched = {}
local n = 0
for e = 0, (#KEYS - 4) / 2 - 1 do
  n = redis.call('INCR', KEYS[1])
  local msg = '{"seq":' .. n .. ',"ownerId":' .. cjson.encode(ARGV[4 + 2 * e]) .. ',"event":' .. ARGV[3 + 2 * e] .. '}'
  for _, pair in ipairs({{KEYS[5 + 2 * e], KEYS[6 + 2 * e]}, {KEYS[3], KEYS[4]}}) do
    redis.call('XADD', pair[1], n .. '-0', 'm', msg)
    redis.call('PUBLISH', pair[2], msg)
    touched[pair[1]] = true
  end
end
for log in pairs(touched) do
  local over = redis.call('XLEN', log) - max
  if over > 0 then
    local first = redis.call('XRANGE', log, '-', '+', 'COUNT', over)
    -- One XDEL per 1000 entries, not one per entry (unpack stays far below Lua's stack limit).
    for i = 1, #first, 1000 do
      local ids = {}
      for j = i, math.min(i + 999, #first) do ids[#ids + 1] = first[j][1] end
      redis.call('XDEL', log, unpack(ids))
    end
    redis.call('HSET', KEYS[2], log, tonumber(string.match(first[#first][1], '^(%d+)')))
  end
  redis.call('PEXPIRE', log, ARGV[2])
end
return n`);

/** The pseudo-owner of events that concern every owner (the global kill switch): every stream follows it. */
export const EVERY_OWNER = "global";

/**
 * Logs and publishes events, in the order given, each of its owner (null: an event for every owner, such as the
 * global kill switch); resolves with the sequence number of the last one (0 for none).
 *
 * Calls made while a script call is under way go out together in the next one, in the order they were made: a
 * trigger's hundreds of dispatch jobs each publish their intents' changes, and one script call per job paid the
 * call, the logs' trim and their expiry each time (docs/performance.md "Live events").
 */
export async function publishUserEvents(
  events: readonly { owner: string | null; event: UserEvent }[],
): Promise<number> {
  if (events.length === 0) return 0;
  return publishBatches(events);
}

type OwnedEvent = { owner: string | null; event: UserEvent };

const publishBatches = coalescer(async (batches: (readonly OwnedEvent[])[]): Promise<number[]> => {
  const keys: string[] = [USER_EVENTS.seq, USER_EVENTS.trimmed, USER_EVENTS.allLog, USER_EVENTS.allChannel()];
  const args: (string | number)[] = [USER_LOG_MAX, LOG_TTL_MS];
  for (const batch of batches)
    for (const { owner, event } of batch) {
      const ownerId = owner ?? EVERY_OWNER;
      keys.push(USER_EVENTS.log(ownerId), USER_EVENTS.channel(ownerId));
      args.push(JSON.stringify(event), ownerId);
    }
  // The plain connection, not the auto-pipelined one: ioredis's auto-pipelining mismatches the results of a script
  // call in a batch (an uncaught "results[i] is not iterable"), so scripts never go through it.
  const last = Number(await PUBLISH(redis(), keys.length, ...keys, ...args));
  // The script numbers the events one after another, so each caller's last one is counted back from the end.
  let after = (keys.length - 4) / 2;
  return batches.map((batch) => {
    after -= batch.length;
    return last - after;
  });
});

/** Logs and publishes one event of `owner` (see publishUserEvents); resolves with its sequence number. */
export function publishUserEvent(owner: string | null, event: UserEvent): Promise<number> {
  return publishUserEvents([{ owner, event }]);
}

/** The same, never failing the caller: the database is the record, a lost live event only delays a refresh. */
export function publishUserEventQuietly(
  ownerId: string | null,
  event: UserEvent,
  onError: (err: unknown) => void,
): void {
  publishUserEvent(ownerId, event).catch(onError);
}

const loggedSchema = z.object({ seq: z.number().int(), ownerId: z.string(), event: userEventSchema });

function parseLogged(text: string): LoggedUserEvent | null {
  try {
    const r = loggedSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/**
 * Which owners' events a stream follows: the owners it may read, or every owner (null, admins). Decided here only,
 * from the same scope every query uses (lib/auth/roles.ts `readableOwnerIds`).
 */
function followed(owners: readonly string[] | null): { logs: string[]; channels: string[] } {
  if (owners === null) return { logs: [USER_EVENTS.allLog], channels: [USER_EVENTS.allChannel()] };
  const ids = [...new Set([...owners, EVERY_OWNER])];
  return { logs: ids.map(USER_EVENTS.log), channels: ids.map(USER_EVENTS.channel) };
}

/** Listens to the followed owners' live events; resolves once every channel is subscribed. */
export async function subscribeUserEvents(
  owners: readonly string[] | null,
  onEvent: (e: LoggedUserEvent) => void,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  try {
    for (const channel of followed(owners).channels) {
      stops.push(
        await fanout().subscribe(channel, (message) => {
          const e = parseLogged(message);
          if (e) onEvent(e);
        }),
      );
    }
  } catch (e) {
    await Promise.all(stops.map((s) => s()));
    throw e;
  }
  return async () => {
    await Promise.all(stops.map((s) => s()));
  };
}

/**
 * The followed owners' logged events after sequence `after`, in order; `gap` when a log no longer holds all of
 * them (trimmed), so the caller must re-read state instead of replaying.
 */
export async function replayUserEvents(
  owners: readonly string[] | null,
  after: number,
): Promise<{ gap: boolean; events: LoggedUserEvent[] }> {
  const { logs } = followed(owners);
  const r = redis();
  const trimmed = await r.hmget(USER_EVENTS.trimmed, ...logs);
  if (trimmed.some((t) => t !== null && Number(t) > after)) return { gap: true, events: [] };
  const seen = new Map<number, LoggedUserEvent>();
  for (const log of logs) {
    const entries = await r.xrange(log, `(${after}-0`, "+");
    for (const [, fields] of entries) {
      const e = parseLogged(fields[1] ?? "");
      if (e) seen.set(e.seq, e);
    }
  }
  return { gap: false, events: [...seen.values()].sort((a, b) => a.seq - b.seq) };
}

/** The newest sequence handed out (0 before any event): a fresh stream resumes from here. */
export async function currentUserSeq(): Promise<number> {
  return Number((await redis().get(USER_EVENTS.seq)) ?? 0);
}

/**
 * Publishes run and intent events to their owners' user streams too (the per-run channel stays for run pages).
 * An intent belongs to its account's owner (a global exit spans owners); a run status to the run's owner.
 */
export async function publishRunProgress(events: readonly RunEvent[]): Promise<void> {
  if (events.length === 0) return;
  const [byAccount, byRun] = await Promise.all([
    accountOwnerIds(events.flatMap((e) => (e.type === "intent" ? [e.accountId] : []))),
    runOwnerIds(events.flatMap((e) => (e.type === "run" ? [e.runId] : []))),
  ]);
  // One script call: sequence order is the order of `events`.
  await publishUserEvents(
    events.flatMap((e) => {
      const owner = e.type === "intent" ? byAccount.get(e.accountId) : byRun.get(e.runId);
      return owner ? [{ owner, event: e }] : [];
    }),
  );
}
