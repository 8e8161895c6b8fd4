/**
 * Kill switch (docs/architecture.md "Exits"): engaged per owner (a trader's own accounts) or globally (admin). Engaging
 * flattens every active account in scope (an exit of scope OWNER / ALL: open orders cancelled, then everything the
 * broker shows exited), pauses the copy groups of the owners it covers and blocks their new entries until an ADMIN
 * re-arms it. State lives in Postgres.
 *
 * One place enforces the block: `guardEntries`, which createRun runs inside the transaction that stores a non-EXIT
 * run. It takes a shared advisory lock and engaging takes it exclusively, so a run is either stored before the switch
 * (and its orders are then flattened by the switch's exit, which waits for in-flight entries) or refused.
 */
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { canAdminister, type Actor } from "@/lib/auth/roles";
import { lockExclusive, lockSharedSql } from "@/lib/db/locks";
import { inSqlTransaction, inTransaction, sqlTxOf, type SqlTx } from "@/lib/db/transaction";
import { listActiveAccountIds } from "@/lib/db/queries/accounts";
import { pauseCopyGroupsOf } from "@/lib/db/queries/copy-groups";
import { insertAudit } from "@/lib/db/queries/audit";
import { insertOrJoinExit, listExitProgress } from "@/lib/db/queries/exits";
import {
  findEngagedSwitch,
  findSwitchCovering,
  insertKillSwitch,
  listEngagedSwitches,
  rearmKillSwitches,
  setKillSwitchExit,
  type SwitchTarget,
} from "@/lib/db/queries/kill-switches";
import { ConflictError, KillSwitchError, ValidationError } from "@/lib/errors";
import { enqueueExit } from "@/lib/queues/exits";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { istDateOf, istMinuteOfDay } from "@/lib/trading/calendar";
import type { Jsonified } from "@/lib/util/jsonify";
import { notifyKillSwitch } from "./notify";

export const killSwitchRequestSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("engage"),
    scope: z.enum(["mine", "all"]),
    reason: z.string().trim().max(200).optional(),
  }),
  z.object({
    action: z.literal("rearm"),
    scope: z.enum(["all", "owner"]),
    ownerId: z.uuid("Not a user id").optional(),
  }),
]);
export type KillSwitchRequest = z.infer<typeof killSwitchRequestSchema>;

/** The pause reason of the copy groups a kill switch paused. */
export const KILL_SWITCH_PAUSE_REASON = "kill switch";

/** `2026-11-26 10:05 IST`. */
export function formatIstDateTime(at: Date): string {
  const m = istMinuteOfDay(at.getTime());
  return `${istDateOf(at.getTime())} ${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")} IST`;
}

/** Why entries of `ownerId` are blocked right now (the switch that covers them), or null. A plain read, no lock. */
export async function entriesBlockedReason(ownerId: string, tx?: SqlTx): Promise<string | null> {
  const hit = await findSwitchCovering(ownerId, tx);
  if (!hit) return null;
  const whose = hit.scope === "GLOBAL" ? "for every account" : "for your accounts";
  return `Kill switch engaged ${whose} since ${formatIstDateTime(hit.engagedAt)}${hit.engagedBy ? ` by ${hit.engagedBy}` : ""}: new entries are blocked until an admin re-arms it`;
}

/**
 * Refuses a new entry run of `ownerId` while a kill switch covers it (423). Call inside the transaction that stores
 * the run (createRun does, in plain SQL); a Prisma transaction passes `sqlTxOf(tx)`.
 */
export async function guardEntries(tx: SqlTx, ownerId: string): Promise<void> {
  await lockSharedSql(tx, "killSwitch");
  const blocked = await entriesBlockedReason(ownerId, tx);
  if (blocked) throw new KillSwitchError(blocked);
}

/** `guardEntries` outside a run's transaction (a retry of an entry run's unsent slices is an entry too). */
export function assertEntriesAllowed(ownerId: string): Promise<void> {
  return inSqlTransaction((tx) => guardEntries(tx, ownerId));
}

/** How long an exposure increase may hold the shared lock (the broker call included), ms. */
const INCREASE_TIMEOUT_MS = 30_000;

/**
 * Runs `send` (a broker call that increases exposure outside a run, such as a modify that raises an order's
 * quantity) only while no kill switch covers `ownerId`, holding the shared lock until it returns: engaging waits
 * for it, so the call either finished before the switch was committed (and the switch's exit then cancels or
 * flattens what it did) or is refused with 423 — never sent after.
 */
export function withEntriesAllowed<T>(ownerId: string, send: () => Promise<T>): Promise<T> {
  return inTransaction(
    async (tx) => {
      await guardEntries(sqlTxOf(tx), ownerId);
      return send();
    },
    { maxWait: INCREASE_TIMEOUT_MS, timeout: INCREASE_TIMEOUT_MS },
  );
}

/** Engages the caller's own switch (`mine`) or the global one (`all`, admins) and starts flattening. */
export async function engageKillSwitch(
  actor: Actor,
  input: { scope: "mine" | "all"; reason?: string },
  ip: string | null,
): Promise<{ exitId: string }> {
  authorize(actor, input.scope === "all" ? "killSwitch.engageAll" : "killSwitch.engage");
  const global = input.scope === "all";
  const target: SwitchTarget = global ? { global: true } : { global: false, ownerId: actor.id };
  const { exitId, joined, now } = await inTransaction(async (tx) => {
    await lockExclusive(tx, "killSwitch");
    // Taken once the lock is held, so every entry run stored before the switch is older than it.
    const now = new Date();
    const active = await findEngagedSwitch(target, tx);
    const accountIds = await listActiveAccountIds(global ? null : actor.id, tx);
    const exit = await insertOrJoinExit(
      tx,
      {
        ownerId: global ? null : actor.id,
        scope: global ? "ALL" : "OWNER",
        reason: "KILL_SWITCH",
        targetKey: global ? "all" : `owner:${actor.id}`,
        requestedBy: actor.id,
        note: input.reason ?? null,
      },
      accountIds,
    );
    // Copying stops with the entries: the flatten closes masters and children with orders no group counts, so a
    // group resumes only once re-armed, re-based on its master's books then (docs/copy-trading.md "The kill switch").
    const paused = await pauseCopyGroupsOf(global ? null : actor.id, KILL_SWITCH_PAUSE_REASON, tx);
    for (const g of paused)
      await insertAudit(
        {
          actorId: actor.id,
          action: "copyGroup.pause",
          entity: "copyGroup",
          entityId: g.id,
          details: { reason: KILL_SWITCH_PAUSE_REASON, previousReason: g.previousReason, exitId: exit.id },
          ip,
        },
        tx,
      );
    if (active) await setKillSwitchExit(active.id, exit.id, tx);
    else
      await insertKillSwitch(
        { target, reason: input.reason ?? null, engagedAt: now, engagedById: actor.id, exitId: exit.id },
        tx,
      );
    await insertAudit(
      {
        actorId: actor.id,
        action: "kill_switch.engage",
        entity: "kill_switch",
        entityId: global ? "all" : actor.id,
        details: {
          scope: input.scope,
          reason: input.reason ?? null,
          exitId: exit.id,
          accounts: accountIds.length,
          alreadyEngaged: !!active,
          copyGroupsPaused: paused.length,
        },
        ip,
      },
      tx,
    );
    if (!exit.joined) {
      await insertAudit(
        {
          actorId: actor.id,
          action: "exit.request",
          entity: "exit",
          entityId: exit.id,
          details: { reason: "kill_switch", scope: global ? "all" : "owner", accounts: accountIds.length },
          ip,
        },
        tx,
      );
    }
    return { exitId: exit.id, joined: exit.joined, now };
  });
  // A joined exit is driven already; asking again only makes its next attempt come sooner.
  await enqueueExit(exitId, joined ? `kick_${Math.floor(now.getTime() / 1000)}` : undefined);
  const owner = global ? null : actor.id;
  await publishUserEvent(owner, { type: "kill-switch", engaged: true, ownerId: owner, at: now.toISOString() }).catch(
    (err) => log().warn({ err }, "kill-switch event not published"),
  );
  await notifyKillSwitch(owner, true, now, input.reason);
  return { exitId };
}

/** Re-arms a switch (admins): entries are allowed again; an exit still running keeps running until flat. */
export async function rearmKillSwitch(
  actor: Actor,
  input: { scope: "all" | "owner"; ownerId?: string },
  ip: string | null,
): Promise<{ rearmed: true }> {
  authorize(actor, "killSwitch.rearm");
  if (input.scope === "owner" && !input.ownerId)
    throw new ValidationError("Choose whose kill switch to re-arm", { ownerId: ["Required for scope owner"] });
  const target: SwitchTarget = input.scope === "all" ? { global: true } : { global: false, ownerId: input.ownerId! };
  const n = await inTransaction(async (tx) => {
    const count = await rearmKillSwitches(target, actor.id, new Date(), tx);
    if (count > 0) {
      await insertAudit(
        {
          actorId: actor.id,
          action: "kill_switch.rearm",
          entity: "kill_switch",
          entityId: input.scope === "all" ? "all" : input.ownerId!,
          details: { scope: input.scope },
          ip,
        },
        tx,
      );
    }
    return count;
  });
  if (n === 0)
    throw new ConflictError(
      input.scope === "all" ? "The global kill switch is not engaged" : "That owner's kill switch is not engaged",
    );
  const owner = input.scope === "all" ? null : input.ownerId!;
  await publishUserEvent(owner, {
    type: "kill-switch",
    engaged: false,
    ownerId: owner,
    at: new Date().toISOString(),
  }).catch((err) => log().warn({ err }, "kill-switch event not published"));
  await notifyKillSwitch(owner, false, new Date());
  return { rearmed: true };
}

/**
 * What a switch's flattening has achieved, from the facts: its exit's accounts are DONE only once the broker's
 * positions read flat after the exit's orders (lib/services/exits/attempt.ts), FAILED while the broker keeps refusing.
 */
export function flattenSummary(
  exit: { status: string; accounts: { status: string; finishedAt: Date | null }[] } | null,
) {
  const accounts = exit?.accounts.length ?? 0;
  const flat = exit?.accounts.filter((a) => a.status === "DONE").length ?? 0;
  const failing = exit?.accounts.filter((a) => a.status === "FAILED").length ?? 0;
  const state = !exit
    ? ("unknown" as const)
    : exit.status === "DONE" || (accounts > 0 && flat === accounts)
      ? ("flat" as const)
      : failing > 0
        ? ("failing" as const)
        : ("flattening" as const);
  const lastFlat =
    exit?.accounts.reduce<Date | null>((m, a) => (a.finishedAt && (!m || a.finishedAt > m) ? a.finishedAt : m), null) ??
    null;
  const text =
    state === "flat"
      ? accounts === 0
        ? "no active account to flatten"
        : `${accounts === 1 ? "the account" : `all ${accounts} accounts`} confirmed flat by the broker's positions${lastFlat ? ` at ${formatIstDateTime(lastFlat)}` : ""}`
      : state === "failing"
        ? `flattening failing in ${failing} of ${accounts} account(s), still retrying (see Exits); ${flat} confirmed flat`
        : state === "flattening"
          ? `flattening: ${flat} of ${accounts} account(s) confirmed flat so far`
          : "flattening status unknown";
  return { state, accounts, flat, failing, text };
}

/** GET /api/kill-switch, as the browser receives it. */
export type KillSwitchStatusJson = Jsonified<Awaited<ReturnType<typeof killSwitchStatus>>>;

/** Engaged switches the actor can see, whether the actor's own entries are blocked, and each switch's flattening. */
export async function killSwitchStatus(actor: Actor) {
  const rows = await listEngagedSwitches(canAdminister(actor) ? null : actor.id);
  const exitIds = rows.map((r) => r.exitId).filter((id): id is string => id !== null);
  const exits = new Map((await listExitProgress(exitIds)).map((e) => [e.id, e]));
  return {
    /** True when a switch covers the actor's own entries (global, or the actor's own). */
    engaged: rows.some((r) => r.scope === "GLOBAL" || r.ownerId === actor.id),
    switches: rows.map((r) => ({
      scope: r.scope === "GLOBAL" ? ("global" as const) : ("owner" as const),
      ownerId: r.ownerId,
      ownerName: r.owner?.name ?? null,
      engagedAt: r.engagedAt.toISOString(),
      engagedBy: r.engagedBy?.name ?? r.engagedBy?.email ?? "a deleted user",
      reason: r.reason,
      exitId: r.exitId,
      flatten: flattenSummary(r.exitId ? (exits.get(r.exitId) ?? null) : null),
    })),
  };
}
