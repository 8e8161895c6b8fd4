/**
 * The webhook ingress (docs/webhooks.md "The way in"): an outside alert is checked in a fixed order, logged once,
 * decided under the strategy's signal lock and answered fast — the ack never waits for a broker. What it decided is
 * acted on by the signal worker (./handle-signal.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import { lockRowSql } from "@/lib/db/locks";
import { isUniqueViolation } from "@/lib/db/errors";
import { inSqlTransaction, type SqlTx } from "@/lib/db/transaction";
import { findAcceptedRepeat, insertSignal } from "@/lib/db/queries/signals";
import {
  findWebhookByTokenHash,
  readSignalState,
  writeSignalState,
  type IngressWebhook,
} from "@/lib/db/queries/webhooks";
import { AppError, ConflictError, NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { serialised } from "@/lib/util/serialised";
import { countThrottledAlert } from "@/lib/metrics-counters";
import { enqueueSignal } from "@/lib/queues/signals";
import { tradingClock, type TradingClock } from "@/lib/services/market-data";
import { decodeAlertBody } from "@/lib/trading/signals/body";
import { parseAlert } from "@/lib/trading/signals/parse";
import type { ParsedAlert } from "@/lib/trading/signals/types";
import { AlertRecord, refusal, type AlertAnswer } from "./alert-record";
import { decideAlert, sendGates, type AlertDecision, type SendGates } from "./decide-alert";
import { alertKind, assertSenderAllowed, assertSignature, MAX_ALERT_BYTES, spendAlertBudget } from "./ingress-checks";
import { decryptHmacSecret, hashWebhookToken } from "./token";

/** A `ts` this far ahead of our clock is still taken as now (the sender's clock may run a little fast), seconds. */
export const CLOCK_SKEW_SECONDS = 5;

/** An alert as the route hands it over: headers read, the body not yet (it is read only once the checks before pass). */
export interface IncomingAlert {
  token: string;
  ip: string;
  contentType: string | null;
  signature: string | null;
  /** Reads the raw body, at most `limit` bytes (413 beyond, checked on Content-Length first). */
  readBody(limit: number): Promise<Uint8Array>;
  /** performance.now() when the request arrived, for the ack time. */
  startedAt: number;
}

/** POST /api/hooks/<token>: the answer to one alert (see docs/webhooks.md for every status). */
export async function ingestAlert(req: IncomingAlert, clock: TradingClock = tradingClock()): Promise<AlertAnswer> {
  // The body is read while the webhook is looked up; what reading it found is acted on only in the checks' order.
  const body = settle(req.readBody(MAX_ALERT_BYTES));
  const hook = await findWebhookByTokenHash(hashWebhookToken(req.token));
  // No strategy to log it under: an unknown, rotated or revoked URL is answered and forgotten.
  if (!hook) return refusal(new NotFoundError("Webhook"));
  try {
    await spendAlertBudget(hook.id, req.ip);
  } catch (e) {
    // A flood must not fill the alert log: throttled alerts are counted, not stored.
    if (!(e instanceof RateLimitedError)) throw e;
    countThrottledAlert();
    return refusal(e);
  }
  const rec = new AlertRecord(
    { id: hook.id, strategyId: hook.strategyId, ownerId: hook.ownerId },
    req.ip,
    (req.contentType ?? "").slice(0, 200),
    req.startedAt,
  );
  try {
    const alert = await readAlert(hook, req, await body, rec, clock.now);
    const dup = await findDuplicate(hook, rec, clock.now);
    if (dup) return await rec.duplicate(dup.original, dup.why);
    return await accept(hook, rec, alert, clock);
  } catch (e) {
    if (e instanceof AppError) return rec.refuse(e);
    log().error({ err: e, webhookId: hook.id }, "alert failed");
    return rec.refuse(new AppError("INTERNAL", 500, "The alert could not be processed. It has been logged."));
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** The checks up to a parsed alert: paused, sender, content type, size, signature, parse, lag. */
async function readAlert(
  hook: IngressWebhook,
  req: IncomingAlert,
  body: Settled<Uint8Array>,
  rec: AlertRecord,
  now: Date,
): Promise<ParsedAlert> {
  if (!hook.enabled || hook.strategy.archived)
    throw new ConflictError(
      hook.strategy.archived ? "This strategy is archived: alerts are not acted on" : "This webhook is paused",
    );
  assertSenderAllowed(hook.allowedIps, req.ip);
  const kind = alertKind(req.contentType);
  if (!body.ok) throw body.error;
  const bytes = body.value;
  const text = decodeAlertBody(bytes);
  rec.setBody(text ?? Buffer.from(bytes).toString("latin1"), createHash("sha256").update(bytes).digest("hex"));
  if (hook.hmacSecret) assertSignature(decryptHmacSecret(hook.id, hook.hmacSecret), bytes, req.signature);
  if (text === null) throw new ValidationError("The alert body is not valid UTF-8 text", { body: ["Not UTF-8"] });
  const parsed = parseAlert(text, kind, hook.mode);
  if (!parsed.ok) throw new ValidationError(parsed.message, { [parsed.field]: [parsed.message] });
  rec.setParsed(parsed.alert);
  assertOnTime(parsed.alert.sentAt, now, hook.maxLagSeconds);
  return parsed.alert;
}

/** 409 when the sender's `ts` is older than the webhook's maximum lag, or ahead of our clock beyond the skew. */
function assertOnTime(sentAt: Date | null, now: Date, maxLagSeconds: number): void {
  if (!sentAt) return;
  const lag = (now.getTime() - sentAt.getTime()) / 1000;
  if (lag > maxLagSeconds)
    throw new ConflictError(
      `The alert is ${Math.round(lag)} s old (ts), over this webhook's limit of ${maxLagSeconds} s`,
      {
        ts: [`Older than ${maxLagSeconds} s`],
      },
    );
  if (lag < -CLOCK_SKEW_SECONDS)
    throw new ConflictError(`The alert's ts is ${Math.round(-lag)} s in the future: check the sender's clock`, {
      ts: ["In the future"],
    });
}

/** The accepted alert this one repeats: the same sender `id`, or the same raw body within the dedupe window. */
async function findDuplicate(
  hook: Pick<IngressWebhook, "id" | "dedupeSeconds">,
  rec: AlertRecord,
  now: Date,
  tx?: SqlTx,
): Promise<{ original: { id: string; runId: string | null }; why: string } | null> {
  const since = hook.dedupeSeconds > 0 ? new Date(now.getTime() - hook.dedupeSeconds * 1000) : null;
  const original = await findAcceptedRepeat(hook.id, { clientId: rec.clientId, bodyHash: rec.bodyHash, since }, tx);
  if (!original) return null;
  const why =
    rec.clientId && original.clientId === rec.clientId ? "same id" : `same body within ${hook.dedupeSeconds} s`;
  return { original, why };
}

/**
 * Most alerts of a busy sender change nothing ("already long"): they are decided from the state read with the
 * webhook, with no lock — an answer that sends nothing needs none, and it is as if it had arrived a moment earlier.
 * A send is decided again under the strategy's signal lock, where the state cannot move: two alerts of one strategy
 * are decided one after the other, the second seeing the first's row and state. The duplicate check is repeated there
 * too — two identical alerts at the same instant both pass the check before the lock, and only the first is accepted.
 * In this process the alerts of one strategy queue in memory (`serialised`) rather than each holding a database
 * connection while waiting for the lock.
 */
async function accept(hook: IngressWebhook, rec: AlertRecord, alert: ParsedAlert, clock: TradingClock) {
  const open: SendGates = { entry: null, exit: null };
  const first = decideAlert(hook, alert, { position: hook.position, entries: hook.entries }, open);
  if (first.kind !== "send") return answerUnsent(rec, first);
  const gates = await sendGates(hook, alert.ask, clock);
  const outcome = await serialised(hook.strategyId, () =>
    inSqlTransaction(async (tx) => {
      await lockRowSql(tx, "strategySignals", hook.strategyId);
      const dup = await findDuplicate(hook, rec, clock.now, tx);
      if (dup) return { kind: "duplicate" as const, ...dup };
      const d = decideAlert(hook, alert, await readSignalState(tx, hook.id), gates);
      if (d.kind !== "send") return d;
      rec.action = d.action;
      rec.from = d.from;
      rec.to = d.to;
      rec.runId = d.action === "EXIT" ? null : randomUUID();
      await insertSignal(rec.row("ACCEPTED", 202, d.reason), tx);
      await writeSignalState(tx, hook.id, d.next);
      return d;
    }),
  ).catch(async (e: unknown) => {
    // The partial unique index on (webhook, id) is the last word on "one accepted alert per sender id".
    if (isUniqueViolation(e) && rec.clientId) {
      const original = await findAcceptedRepeat(hook.id, { clientId: rec.clientId, bodyHash: "", since: null });
      if (original) return { kind: "duplicate" as const, original, why: "same id" };
    }
    throw e;
  });
  if (outcome.kind === "duplicate") return rec.duplicate(outcome.original, outcome.why);
  if (outcome.kind !== "send") return answerUnsent(rec, outcome);
  await enqueueSignal(rec.id);
  return {
    status: 202,
    body: {
      status: "accepted",
      signalId: rec.id,
      runId: rec.runId,
      action: outcome.action,
      from: outcome.from,
      to: outcome.to,
      message: outcome.reason,
    },
  };
}

/** Logs and answers a decision that sends nothing: 200 ignored, or the refusal (thrown, logged by the caller). */
function answerUnsent(rec: AlertRecord, d: Exclude<AlertDecision, { kind: "send" }>): Promise<AlertAnswer> {
  rec.from = d.from;
  if (d.kind === "refuse") throw d.error;
  rec.to = d.from;
  return rec.ignore(d.message);
}
