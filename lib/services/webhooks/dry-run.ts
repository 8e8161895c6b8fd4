/**
 * "Send test alert" on the strategy page: the same parse, decision, window, kill-switch and stale-price checks a real
 * alert gets (never the token, address, signature, rate or duplicate checks), then the plan the entry would make.
 * Sends nothing and changes no state; logged in the alert log as DRY_RUN.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { findWebhookOfStrategy } from "@/lib/db/queries/webhooks";
import { AppError, NotFoundError } from "@/lib/errors";
import { tradingClock, type TradingClock } from "@/lib/services/market-data";
import { findStrategyRow, planStrategyEntry } from "@/lib/services/strategies";
import { parseAlert } from "@/lib/trading/signals/parse";
import { reversedDefinition } from "@/lib/trading/signals/invert";
import type { SignalAction, SignalPosition } from "@/lib/trading/signals/types";
import { jsonify, type Jsonified } from "@/lib/util/jsonify";
import { AlertRecord } from "./alert-record";
import { decideAlert, sendGates } from "./decide-alert";
import { MAX_ALERT_BYTES } from "./ingress-checks";

export const dryRunRequestSchema = z.object({
  message: z
    .string()
    .max(MAX_ALERT_BYTES)
    .refine((m) => Buffer.byteLength(m) <= MAX_ALERT_BYTES, "At most 16 KB"),
  contentType: z.enum(["application/json", "text/plain"]),
});
export type DryRunRequest = z.infer<typeof dryRunRequestSchema>;

export async function dryRunAlert(
  actor: Actor,
  strategyId: string,
  req: DryRunRequest,
  ip: string,
  clock: TradingClock = tradingClock(),
) {
  authorize(actor, "webhook.manage");
  const row = await findStrategyRow(actor, strategyId);
  authorize(actor, "webhook.manage", { ownerId: row.ownerId, what: "Strategy" });
  const hook = await findWebhookOfStrategy(row.id);
  if (!hook) throw new NotFoundError("Webhook of this strategy");
  const rec = new AlertRecord(
    { id: hook.id, strategyId: row.id, ownerId: row.ownerId },
    ip,
    req.contentType,
    performance.now(),
  );
  rec.setBody(req.message, createHash("sha256").update(req.message).digest("hex"));
  const answer = (
    verdict: "dry_run" | "ignored" | "rejected",
    status: number,
    reason: string,
    preview: unknown = null,
  ) => ({
    verdict,
    status,
    reason,
    action: rec.action as SignalAction | null,
    from: rec.from as SignalPosition | null,
    to: rec.to as SignalPosition | null,
    preview: preview as Jsonified<Awaited<ReturnType<typeof planStrategyEntry>>> | null,
  });
  const done = async (r: ReturnType<typeof answer>) => {
    await rec.write("DRY_RUN", r.status, `${r.verdict}: ${r.reason}`);
    return r;
  };
  const parsed = parseAlert(req.message, req.contentType === "application/json" ? "json" : "text", hook.mode);
  if (!parsed.ok) return done(answer("rejected", 400, parsed.message));
  rec.setParsed(parsed.alert);
  const sentAt = parsed.alert.sentAt;
  if (sentAt && (clock.now.getTime() - sentAt.getTime()) / 1000 > hook.maxLagSeconds)
    return done(
      answer("rejected", 409, `The alert's ts is older than this webhook's limit of ${hook.maxLagSeconds} s`),
    );
  // Decided as a real alert would be, from the stored signal state, with the same send checks; nothing is written.
  const gates = await sendGates(hook, parsed.alert.ask, clock);
  const d = decideAlert(hook, parsed.alert, { position: hook.position, entries: hook.entries }, gates);
  if (d.kind === "ignore") {
    rec.from = rec.to = d.from;
    return done(answer("ignored", 200, d.message));
  }
  if (d.kind === "refuse") {
    rec.from = d.from;
    return done(answer("rejected", d.error.status, d.error.message));
  }
  rec.action = d.action;
  rec.from = d.from;
  rec.to = d.to;
  if (d.action === "EXIT") return done(answer("dry_run", 202, d.reason));
  const definition = d.to === "SHORT" ? reversedDefinition(d.definition) : d.definition;
  try {
    const preview = await planStrategyEntry(row, definition, clock, { lotsMultiplier: parsed.alert.lotsMultiplier });
    return done(answer("dry_run", 202, d.reason, jsonify(preview)));
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return done(answer("dry_run", 202, `${d.reason}; the entry would fail to plan: ${e.message}`));
  }
}
export type DryRunJson = Jsonified<Awaited<ReturnType<typeof dryRunAlert>>>;
