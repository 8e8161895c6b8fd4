/**
 * One exit attempt in one account, up to the plan (./account-loop.ts sends it). Called only while the exit
 * holds the account's claim and no earlier attempt of it has orders in flight there. Before planning, every time:
 *  1. unsent entry slices of the scope (held ones too) are skipped (compare-and-set: a slice a dispatcher took first
 *     is waited for), so no retry can send them after the exit;
 *  2. slices still being sent are waited for (their outcome is unknown until then);
 *  3. the broker's order book is read and the scope's working orders cancelled (a kill switch: every working order),
 *     so an exit after a partial fill exits only what was filled;
 *  4. a scoped exit refreshes fills (syncAccountFills) and waits until the scope shows no working order any more;
 *  5. the broker's net positions are read: they cap every exit order (never over-exit, never flip).
 */
import type { BrokerAdapter, Order } from "@/lib/brokers/types";
import type { Exit } from "@/lib/generated/prisma/client";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { listScopeIntents } from "@/lib/db/queries/exit-scope";
import { coveredRunIds } from "@/lib/db/queries/run-scope";
import { BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { adapterFor } from "@/lib/services/broker-access";
import { applyIntentChanges } from "@/lib/services/dispatch";
import { sleep } from "@/lib/util/sleep";
import { planAccountExit, type AccountExitPlan, type ExitMode } from "@/lib/trading/exit-plan";
import { bookDayStart } from "@/lib/trading/fills";
import type { BrokerFreezes } from "./freeze";
import { holdingsFor, scopeFilter } from "./holdings";
import { instrumentsFor } from "./instruments";
import type { ExitPorts } from "./ports";

export type AttemptOutcome =
  | { kind: "plan"; accountName: string; ownerId: string; plan: AccountExitPlan; cancelled: number }
  | { kind: "flat"; message: string }
  /** Not yet: something is still moving (slices being sent, cancellations not yet in the book). */
  | { kind: "wait"; message: string }
  /** This attempt could not proceed (broker unreadable, a cancel refused); retried with back-off. */
  | { kind: "failed"; message: string }
  /** The account no longer exists: nothing can be done here. */
  | { kind: "gone"; message: string };

const FLATTEN: ReadonlySet<Exit["scope"]> = new Set(["ACCOUNT", "OWNER", "ALL"]);
export const exitModeOf = (scope: Exit["scope"]): ExitMode => (FLATTEN.has(scope) ? "flatten" : "scoped");

const WORKING = new Set(["open", "trigger_pending"]);
const transient = (e: unknown) => e instanceof BrokerUnavailableError || e instanceof RateLimitedError;
const text = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A read (or a cancel, which is safe to repeat) tried a few times over transient broker errors. */
async function withRetries<T>(fn: () => Promise<T>, tries = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!transient(e) || i >= tries) throw e;
      await sleep(40 * i);
    }
  }
}

async function cancelWorking(adapter: BrokerAdapter, orders: readonly Order[]): Promise<string[]> {
  const failures: string[] = [];
  await Promise.all(
    orders.map(async (o) => {
      try {
        await withRetries(() => adapter.cancelOrder(o.orderId, o.strategy ?? "mirrordesk-exit"));
      } catch (e) {
        failures.push(`${o.orderId} (${text(e)})`);
      }
    }),
  );
  return failures;
}

/** Steps 1–5 of the file comment for one account; the plan when something is left to exit. */
export async function prepareAttempt(
  exit: Exit,
  accountId: string,
  ports: ExitPorts,
  freezes: BrokerFreezes,
): Promise<AttemptOutcome> {
  const account = await loadAccountSecret(accountId);
  if (!account) return { kind: "gone", message: "the account no longer exists" };
  let adapter: BrokerAdapter;
  try {
    adapter = adapterFor(account);
  } catch (e) {
    return { kind: "failed", message: `account unusable: ${text(e)}` };
  }
  const mode = exitModeOf(exit.scope);
  // A run's exit (or one leg's) covers the adjustment runs of that run too.
  const covered = exit.runId && (exit.scope === "RUN" || exit.scope === "LEG") ? await coveredRunIds(exit.runId) : [];
  const filter = scopeFilter(exit, accountId, covered);
  // Only today's book can still change: older slices' orders lapsed with their session (positions show their fills).
  const bookDay = new Date(bookDayStart(Date.now()));
  const today = (i: { sentAt: Date | null; createdAt: Date }) => (i.sentAt ?? i.createdAt) >= bookDay;
  const all = await listScopeIntents(filter);
  const open = all.filter(today);
  const unsent = all.filter(
    (i) =>
      (i.state === "planned" || i.state === "safe_to_resend" || i.state === "held") && !exit.runIds.includes(i.runId),
  );
  const at = Date.now();
  const skipped = await applyIntentChanges(
    unsent.map((row) => ({
      row,
      events: [{ type: "skip", at, reason: `not sent: exit requested (${exit.reason.toLowerCase()})` }],
    })),
  );
  const sending = open.filter((i) => i.state === "claimed" || i.state === "sending" || i.state === "unknown");
  if (sending.length > 0 || skipped.size < unsent.length) {
    return {
      kind: "wait",
      message: `waiting for ${sending.length + unsent.length - skipped.size} order(s) still being sent`,
    };
  }

  let orders: Order[];
  try {
    orders = await withRetries(() => adapter.orders());
  } catch (e) {
    return { kind: "failed", message: `order book unreadable: ${text(e)}` };
  }
  const scopeOrderIds = new Set(open.map((i) => i.brokerOrderId).filter((id): id is string => !!id));
  const working = orders.filter((o) => WORKING.has(o.status) && (mode === "flatten" || scopeOrderIds.has(o.orderId)));
  const refused = await cancelWorking(adapter, working);
  if (refused.length > 0) return { kind: "failed", message: `could not cancel working order(s) ${refused.join(", ")}` };

  // A scoped exit plans from the ledger, which must show the cancellations and every fill. Flattening plans from the
  // broker's positions alone; the ledger attributes its fills when it replays them (auto allocations), so fill
  // tracking may catch up later.
  if (mode === "scoped") {
    try {
      await withRetries(() => ports.syncAccountFills(accountId));
    } catch (e) {
      return { kind: "failed", message: `fills could not be refreshed: ${text(e)}` };
    }
  }
  if (mode === "scoped" && exit.scope !== "EXCESS") {
    const still = (
      await listScopeIntents(filter, [
        "claimed",
        "sending",
        "unknown",
        "accepted",
        "reconciled_accepted",
        "partially_filled",
      ])
    ).filter(today);
    if (still.length > 0)
      return {
        kind: "wait",
        message: `waiting for the order book to show ${still.length} order(s) filled or cancelled`,
      };
  }

  let positions;
  try {
    positions = await withRetries(() => adapter.positions());
  } catch (e) {
    return { kind: "failed", message: `positions unreadable: ${text(e)}` };
  }
  const holdings = mode === "scoped" ? await holdingsFor(exit, accountId, ports, covered) : [];
  const contracts = [...positions.filter((p) => p.quantity !== 0), ...holdings];
  const instruments = await instrumentsFor(account.ownerId, adapter, contracts, ports, {
    freezes,
    broker: account.hostUrl,
  });
  const plan = planAccountExit({
    mode,
    holdings,
    broker: positions.map((p) => ({
      symbol: p.symbol,
      exchange: p.exchange,
      product: p.product,
      quantity: p.quantity,
    })),
    instruments,
  });
  if (plan.legs.length === 0) {
    const note = plan.warnings.length ? `; ${plan.warnings.join("; ")}` : "";
    return {
      kind: "flat",
      message: `flat${working.length ? ` (${working.length} working order(s) cancelled)` : ""}${note}`,
    };
  }
  return { kind: "plan", accountName: account.name, ownerId: account.ownerId, plan, cancelled: working.length };
}
