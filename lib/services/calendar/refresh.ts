/**
 * Refreshing the trading calendar from OpenAlgo (docs/calendar.md "Refresh"): this year's and next year's holidays and
 * the timings of today and the next seven days, read from the first market-data account that answers (every owner's
 * primaries first, real accounts before simulated ones: the calendar is an exchange fact), stored as OPENALGO rows.
 * Admins' rows are never touched. A refresh that no account can answer keeps the last rows and raises an alert for
 * every admin; the next one that succeeds resolves it.
 */
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { openAlertsOfKind, raiseAlert, resolveAlertIds, updateOpenAlertMessage } from "@/lib/db/queries/alerts";
import { replaceOpenAlgoSessions } from "@/lib/db/queries/market-sessions";
import { activeAdminIds } from "@/lib/db/queries/users";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { adapterFor } from "@/lib/services/broker-access";
import { addDays, istDateOf } from "@/lib/trading/calendar";
import { sourceCandidates } from "@/lib/trading/feed-kind";
import { datesBetween, openAlgoSessionRows, type SessionTiming } from "@/lib/trading/session-sources";

/** Alert kind of a calendar that could not be refreshed (one open per admin). */
export const CALENDAR_ALERT = "calendar_refresh_failed";
/** Days of timings read per refresh: today and the next seven. */
export const TIMINGS_DAYS = 8;
const STATUS_KEY = "md:calendar:refresh";

/** How the last refresh went (shown on the calendar page). */
export interface RefreshOutcome {
  ok: boolean;
  /** ISO instant of the attempt. */
  at: string;
  /** The account whose OpenAlgo answered (null when none did). */
  accountName: string | null;
  /** Rows stored from the source. */
  rows: number;
  /** Why no account could answer, per account tried. */
  error: string | null;
}

type Account = Awaited<ReturnType<typeof listAccountSecrets>>[number];

/**
 * The accounts the calendar (and its expiry lists) may be read from, best first: every owner's accounts ranked as
 * for prices (primaries, then healthy accounts; FAILED never), real accounts before simulated ones.
 */
export async function calendarSources(): Promise<Account[]> {
  const accounts = await listAccountSecrets({ ownerId: null }, { active: true });
  return [...sourceCandidates(accounts, "real"), ...sourceCandidates(accounts, "simulated")];
}

async function readSource(account: Account, today: string) {
  const adapter = adapterFor(account);
  if (!adapter.holidays || !adapter.timings) throw new Error("its broker publishes no market calendar");
  const year = Number(today.slice(0, 4));
  const holidays = [...(await adapter.holidays(year)), ...(await adapter.holidays(year + 1))];
  // One day at a time: the account's rate budget is shared with everything else it does.
  const timings: { date: string; rows: SessionTiming[] }[] = [];
  for (const date of datesBetween(today, addDays(today, TIMINGS_DAYS - 1)))
    timings.push({ date, rows: await adapter.timings(date) });
  return openAlgoSessionRows(holidays, timings);
}

/** Reads the calendar from the first market-data account that answers and stores it; see the file comment. */
export async function refreshFromSource(now: Date, onChanged: () => Promise<void>): Promise<RefreshOutcome> {
  const today = istDateOf(now.getTime());
  const failures: string[] = [];
  for (const account of await calendarSources()) {
    let rows;
    try {
      rows = await readSource(account, today);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      failures.push(`${account.name}: ${reason}`);
      log().warn({ accountId: account.id, reason }, "calendar refresh: account did not answer; trying the next");
      continue;
    }
    await inTransaction((tx) => replaceOpenAlgoSessions(tx, rows, today));
    await onChanged();
    const outcome = { ok: true, at: now.toISOString(), accountName: account.name, rows: rows.length, error: null };
    await settle(outcome, now);
    log().info({ accountId: account.id, rows: rows.length }, "trading calendar refreshed");
    return outcome;
  }
  const error =
    failures.length === 0 ? "no active account to read it from" : `no account could answer (${failures.join("; ")})`;
  const outcome = { ok: false, at: now.toISOString(), accountName: null, rows: 0, error };
  await settle(outcome, now);
  log().warn({ error }, "trading calendar not refreshed; the last known sessions stay in use");
  return outcome;
}

/** The last refresh's outcome, if any is recorded. */
export async function lastRefresh(): Promise<RefreshOutcome | null> {
  const text = await redis().get(STATUS_KEY);
  return text ? (JSON.parse(text) as RefreshOutcome) : null;
}

/** Records the outcome and keeps the admins' alert in step with it. */
async function settle(outcome: RefreshOutcome, now: Date): Promise<void> {
  await redis().set(STATUS_KEY, JSON.stringify(outcome));
  const open = await openAlertsOfKind(CALENDAR_ALERT);
  if (outcome.ok) {
    if (open.length)
      await inTransaction((tx) =>
        resolveAlertIds(
          tx,
          open.map((a) => a.id),
          now,
        ),
      );
    return;
  }
  const message =
    `The trading calendar could not be refreshed from OpenAlgo: ${outcome.error}. The last known sessions (or the ` +
    `built-in defaults) stay in use; check the market-data accounts, or set the day's session on the calendar page.`;
  const raised = await inTransaction(async (tx) => {
    for (const a of open) if (a.message !== message) await updateOpenAlertMessage(tx, a.id, message);
    const alerted = new Set(open.map((a) => a.ownerId));
    const fresh = (await activeAdminIds()).filter((id) => !alerted.has(id));
    const alerts = [];
    for (const ownerId of fresh)
      alerts.push(
        await raiseAlert(tx, { ownerId, accountId: null, kind: CALENDAR_ALERT, severity: "WARNING", message }),
      );
    return alerts;
  });
  for (const alert of raised)
    await publishUserEvent(alert.ownerId, {
      type: "alert",
      alertId: alert.id,
      accountId: null,
      change: "raised",
      at: now.toISOString(),
    }).catch((err) => log().warn({ err }, "calendar alert event not published"));
}
