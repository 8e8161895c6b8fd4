import { z } from "zod";
import { findRunIdByKey } from "@/lib/db/queries/runs";
import { insertAudit } from "@/lib/db/queries/audit";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { Exchange } from "@/lib/brokers/types";
import { expiryHolidaySet } from "@/lib/services/calendar";
import { istDateOf } from "@/lib/trading/calendar";
import { runTotals } from "@/lib/trading/plan";
import { underlyingOfSymbol } from "@/lib/trading/staleness";
import { planTicket, ticketSchema } from "@/lib/trading/ticket";
import {
  assertFreshMarket,
  assertProductAllowed,
  feedKindOf,
  marketSource,
  marketSourceFor,
  tradingClock,
  type TradingClock,
} from "@/lib/services/market-data";
import { createRun } from "@/lib/services/runs";
import { accountInputs, selectAccounts } from "@/lib/services/strategies";
import { tradingSettings } from "@/lib/services/settings";
import { jsonify } from "@/lib/util/jsonify";

const targets = {
  accountIds: z.array(z.uuid("Not an account id")).max(500).default([]),
  accountTags: z.array(z.string().trim().min(1).max(30)).max(20).default([]),
};
export const ticketRequestSchema = ticketSchema.and(z.object(targets));
export const ticketExecuteSchema = ticketRequestSchema.and(
  z.object({ idempotencyKey: z.string().trim().min(8).max(100) }),
);
export const symbolSearchSchema = z.object({
  q: z.string().trim().min(1, "Type part of a symbol").max(40),
  exchange: z.enum(["NSE", "BSE", "NFO", "BFO"]).optional(),
});

/** Symbol search for the ticket, through the user's market-data source. */
export async function searchSymbols(actor: Actor, query: z.infer<typeof symbolSearchSchema>) {
  const source = await marketSource(actor.id);
  return jsonify((await source.searchSymbols(query.q, query.exchange)).slice(0, 50));
}

async function planFor(actor: Actor, req: z.infer<typeof ticketRequestSchema>, clock: TradingClock) {
  await assertProductAllowed(req.product, [req.exchange], clock);
  const accounts = await selectAccounts(actor.id, req.accountIds, req.accountTags);
  if (accounts.length === 0)
    throw new ValidationError("Choose at least one active account or a tag group", {
      accountIds: ["No accounts selected"],
    });
  // No new position on an underlying whose live prices stopped (docs/market-data.md "Stale data").
  await assertFreshMarket(accounts.map(feedKindOf), [underlyingOfSymbol(req.symbol)]);
  // Priced only from an account of the targets' kind (real or simulated), failing over at once if the primary is down.
  const market = await marketSourceFor(actor.id, accounts);
  const source = market.adapter;
  const [info, quote, settings, funds] = await Promise.all([
    source.symbolInfo(req.symbol, req.exchange as Exchange),
    source.quote(req.symbol, req.exchange as Exchange).catch(() => null),
    tradingSettings(),
    // Fresh funds, as for strategies: the preview shows each account's margin need against what it has.
    accountInputs(accounts),
  ]);
  if (!info) throw new NotFoundError(`Symbol ${req.symbol} on ${req.exchange}`);
  const result = planTicket(
    req,
    {
      lotSize: info.lotSize,
      freezeQty: info.freezeQty,
      tickSize: info.tickSize,
      ltp: quote?.ltp ?? null,
      instrumentType: info.instrumentType,
    },
    funds.inputs.map((a) => ({
      id: a.id,
      name: a.name,
      lotMultiplier: a.lotMultiplier,
      maxLotsPerLeg: a.maxLotsPerLeg,
      funds: a.funds,
    })),
    // The settings' freeze quantity applies when smaller than the broker's or when the broker does not know it.
    {
      instruments: settings.instruments,
      marginModel: settings.marginModel,
      today: istDateOf(clock.now.getTime()),
      holidays: await expiryHolidaySet(istDateOf(clock.now.getTime())),
    },
  );
  if (!result.ok) throw new ValidationError(result.message, { [result.field]: [result.message] });
  const all = [...result.preview.accounts, ...funds.skipped];
  return { ...result.preview, accounts: all, totals: runTotals(all), marketData: market.note() };
}

export async function previewTicket(
  actor: Actor,
  req: z.infer<typeof ticketRequestSchema>,
  clock: TradingClock = tradingClock(),
) {
  return jsonify(await planFor(actor, req, clock));
}

/** Sends a ticket as a one-leg run through the same pipeline (intents, dispatch, exactly once). */
export async function executeTicket(
  actor: Actor,
  req: z.infer<typeof ticketExecuteSchema>,
  ip: string,
  clock: TradingClock = tradingClock(),
) {
  authorize(actor, "run.execute");
  const idempotencyKey = `${actor.id}:${req.idempotencyKey}`;
  const existing = await findRunIdByKey(idempotencyKey);
  if (existing) return { runId: existing, created: false };
  const triggeredAt = new Date();
  const preview = await planFor(actor, req, clock);
  const run = await createRun({
    ownerId: actor.id,
    strategyId: null,
    kind: "TICKET",
    idempotencyKey,
    triggeredAt,
    preview,
  });
  if (run.created) {
    await insertAudit({
      actorId: actor.id,
      action: "run.ticket",
      entity: "run",
      entityId: run.runId,
      details: { symbol: req.symbol, exchange: req.exchange, action: req.action, lots: req.lots },
      ip,
    });
  }
  return run;
}
