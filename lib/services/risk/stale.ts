/**
 * Stale episodes (docs/risk.md "Prices"): a run (or a limit account) whose prices are unusable while its market is
 * open is not evaluated. The first sweep that finds it so writes one SKIPPED_STALE risk event for the episode (a Redis
 * key claimed with SET NX, so two workers write one), and its owner gets one open `risk_prices_stale` alert naming what
 * is skipped; the episode ends, and the alert resolves, once its prices are fresh again.
 */
import type { RiskRule } from "@/lib/generated/prisma/client";
import { openAlertsOfKind, raiseAlert, resolveAlertIds, updateOpenAlertMessage } from "@/lib/db/queries/alerts";
import { insertRiskEvents, type NewRiskEvent } from "@/lib/db/queries/risk-events";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { publishUserEventQuietly } from "@/lib/realtime/user-events";
import { redis } from "@/lib/redis";
import type { RoundOutcome } from "./evaluate";
import { publishRiskChange } from "./tell";

export const RISK_STALE_ALERT = "risk_prices_stale";
const episodeKey = (id: string) => `md:risk:stale-episode:${id}`;
/** An episode key outlives any real episode; it only guards against one left behind by a vanished run. */
const EPISODE_TTL_S = 7 * 24 * 3600;
const LISTED = 5;

interface Skipped {
  ownerId: string;
  /** `run:<id>` or `account:<id>`. */
  id: string;
  runId: string | null;
  accountId: string | null;
  rule: RiskRule;
  label: string;
  problems: string[];
}

/** Runs and accounts of the round skipped on stale prices, and those evaluated on fresh ones. */
function partition(round: RoundOutcome): { skipped: Skipped[]; fresh: string[] } {
  const skipped: Skipped[] = [];
  const fresh: string[] = [];
  for (const o of round.runs) {
    const id = `run:${o.run.runId}`;
    if (o.result.stale.length === 0 || o.run.paused) {
      fresh.push(id);
      continue;
    }
    const rule = (o.result.snapshot.rules.find((r) => r.state === "skipped_stale")?.rule ?? "MAX_LOSS") as RiskRule;
    skipped.push({
      ownerId: o.run.ownerId,
      id,
      runId: o.run.runId,
      accountId: null,
      rule,
      label: `run ${o.run.runId.slice(0, 8)}`,
      problems: o.result.stale,
    });
  }
  for (const o of round.accounts) {
    const id = `account:${o.account.accountId}`;
    if (o.stale.length === 0) fresh.push(id);
    else
      skipped.push({
        ownerId: o.account.ownerId,
        id,
        runId: null,
        accountId: o.account.accountId,
        rule: "DAILY_LOSS_LIMIT",
        label: `daily loss limit of ${o.account.name}`,
        problems: o.stale.map((k) => `${k}: not live`),
      });
  }
  return { skipped, fresh };
}

function alertMessage(items: readonly Skipped[]): string {
  const listed = items.slice(0, LISTED).map((s) => `${s.label} (${s.problems[0]})`);
  const more = items.length > LISTED ? ` and ${items.length - LISTED} more` : "";
  return (
    `Risk rules are not being checked for ${listed.join(", ")}${more}: their live prices are stale, and a risk ` +
    `decision is never taken on a stale, zero or REST price. Checks resume by themselves once live ticks return.`
  );
}

/** Starts and ends stale episodes from a full sweep's round, and keeps every owner's stale alert in step. */
export async function syncStaleEpisodes(round: RoundOutcome, now: Date): Promise<void> {
  const { skipped, fresh } = partition(round);
  const r = redis();
  const started: Skipped[] = [];
  for (const s of skipped)
    if ((await r.set(episodeKey(s.id), now.toISOString(), "EX", EPISODE_TTL_S, "NX")) === "OK") started.push(s);
  if (fresh.length) await r.del(...fresh.map(episodeKey));
  if (started.length)
    await inTransaction((tx) =>
      insertRiskEvents(
        tx,
        started.map((s): NewRiskEvent => ({
          ownerId: s.ownerId,
          runId: s.runId,
          accountId: s.accountId,
          rule: s.rule,
          action: "SKIPPED_STALE",
          message: `Not evaluated: ${s.problems.join("; ")}`,
        })),
      ),
    );
  for (const s of started) publishRiskChange(s.ownerId, s.runId, "event");
  await syncAlerts(skipped, now);
}

async function syncAlerts(skipped: readonly Skipped[], now: Date): Promise<void> {
  const byOwner = new Map<string, Skipped[]>();
  for (const s of skipped) byOwner.set(s.ownerId, [...(byOwner.get(s.ownerId) ?? []), s]);
  const open = await openAlertsOfKind(RISK_STALE_ALERT);
  const resolve = open.filter((a) => !byOwner.has(a.ownerId));
  const rewrite = open.filter((a) => byOwner.has(a.ownerId) && a.message !== alertMessage(byOwner.get(a.ownerId)!));
  const raise = [...byOwner.keys()].filter((o) => !open.some((a) => a.ownerId === o));
  if (resolve.length + rewrite.length + raise.length === 0) return;
  const raised = await inTransaction(async (tx) => {
    if (resolve.length)
      await resolveAlertIds(
        tx,
        resolve.map((a) => a.id),
        now,
      );
    for (const a of rewrite) await updateOpenAlertMessage(tx, a.id, alertMessage(byOwner.get(a.ownerId)!));
    const out = [];
    for (const ownerId of raise)
      out.push(
        await raiseAlert(tx, {
          ownerId,
          accountId: null,
          kind: RISK_STALE_ALERT,
          severity: "CRITICAL",
          message: alertMessage(byOwner.get(ownerId)!),
        }),
      );
    return out;
  });
  const at = now.toISOString();
  const tell = (ownerId: string, alertId: string, change: "raised" | "resolved") =>
    publishUserEventQuietly(ownerId, { type: "alert", alertId, accountId: null, change, at }, (err) =>
      log().warn({ err }, "risk alert event not published"),
    );
  for (const a of raised) tell(a.ownerId, a.id, "raised");
  for (const a of resolve) tell(a.ownerId, a.id, "resolved");
}
