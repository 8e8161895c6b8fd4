/**
 * The simulated Dhan's portfolio and market-data endpoints (docs/brokers/dhan.md "Account reads", "Quotes"):
 * `GET /positions`, `/holdings`, `/fundlimit`, `/profile` over the engine's routes, and `POST /marketfeed/ltp|ohlc|quote`
 * over the market model.
 */
import type { Exchange, InstanceState } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import { scripIndex } from "./scrips";
import { dhanError, json, num, round2 } from "./wire";

type Row = Record<string, unknown>;
const PRODUCT_OUT: Record<string, string> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };

async function data<T>(ctx: NativeContext, instance: InstanceState, route: string): Promise<T> {
  return (await ctx.run(instance, route, {})).body as T;
}

export async function positions(ctx: NativeContext, instance: InstanceState): Promise<Reply> {
  const rows = (await data<{ data: Row[] }>(ctx, instance, "positionbook")).data ?? [];
  const trades = (await data<{ data: Row[] }>(ctx, instance, "tradebook")).data ?? [];
  const index = scripIndex(ctx.market);
  return json(
    rows.map((p) => {
      const inst = ctx.market.instrument(String(p.symbol), p.exchange as Exchange);
      const s = inst ? index.of(inst) : undefined;
      const side = { buyQty: 0, buyValue: 0, sellQty: 0, sellValue: 0 };
      for (const t of trades) {
        if (t.symbol !== p.symbol || t.exchange !== p.exchange || t.product !== p.product) continue;
        if (t.action === "BUY") {
          side.buyQty += num(t.quantity);
          side.buyValue += num(t.trade_value);
        } else {
          side.sellQty += num(t.quantity);
          side.sellValue += num(t.trade_value);
        }
      }
      const netQty = num(p.quantity);
      const avg = num(p.average_price);
      const unrealized = round2((num(p.ltp) - avg) * netQty);
      const option = s?.inst.instrumenttype === "CE" || s?.inst.instrumenttype === "PE";
      return {
        dhanClientId: instance.id,
        tradingSymbol: s?.tradingSymbol ?? String(p.symbol),
        securityId: s?.securityId ?? "",
        positionType: netQty > 0 ? "LONG" : netQty < 0 ? "SHORT" : "CLOSED",
        exchangeSegment: s?.segment ?? "",
        productType: PRODUCT_OUT[String(p.product)] ?? String(p.product),
        buyAvg: side.buyQty > 0 ? round2(side.buyValue / side.buyQty) : 0,
        costPrice: avg,
        buyQty: side.buyQty,
        sellAvg: side.sellQty > 0 ? round2(side.sellValue / side.sellQty) : 0,
        sellQty: side.sellQty,
        netQty,
        realizedProfit: round2(num(p.pnl) - unrealized),
        unrealizedProfit: unrealized,
        rbiReferenceRate: 1.0,
        multiplier: 1,
        carryForwardBuyQty: 0,
        carryForwardSellQty: 0,
        carryForwardBuyValue: 0,
        carryForwardSellValue: 0,
        dayBuyQty: side.buyQty,
        daySellQty: side.sellQty,
        dayBuyValue: round2(side.buyValue),
        daySellValue: round2(side.sellValue),
        drvExpiryDate: s?.expiry ? `${s.expiry} 14:30:00` : "0001-01-01 00:00:00",
        drvOptionType: option ? (s.inst.instrumenttype === "CE" ? "CALL" : "PUT") : null,
        drvStrikePrice: option ? s.inst.strike : 0,
        crossCurrency: false,
      };
    }),
  );
}

export async function holdings(ctx: NativeContext, instance: InstanceState): Promise<Reply> {
  const rows = (await data<{ data: { holdings?: Row[] } }>(ctx, instance, "holdings")).data?.holdings ?? [];
  const index = scripIndex(ctx.market);
  return json(
    rows.map((h) => {
      const inst = ctx.market.instrument(String(h.symbol), h.exchange as Exchange);
      const s = inst ? index.of(inst) : undefined;
      const qty = num(h.quantity);
      const ltp = inst ? (ctx.market.quote(inst.symbol, inst.exchange)?.ltp ?? 0) : 0;
      // The engine's live holdings carry P&L, not cost: cost = value − P&L.
      const avg = qty > 0 ? round2((ltp * qty - num(h.pnl)) / qty) : 0;
      return {
        exchange: String(h.exchange),
        tradingSymbol: String(h.symbol),
        securityId: s?.securityId ?? "",
        isin: inst ? `INE${inst.token.padStart(6, "0")}01` : "",
        totalQty: qty,
        dpQty: qty,
        t1Qty: 0,
        availableQty: qty,
        collateralQty: 0,
        avgCostPrice: avg,
        lastTradedPrice: ltp,
      };
    }),
  );
}

export async function fundLimit(ctx: NativeContext, instance: InstanceState): Promise<Reply> {
  const f = (await data<{ data: Row }>(ctx, instance, "funds")).data ?? {};
  const cash = num(f.availablecash);
  const collateral = num(f.collateral);
  const utilised = num(f.utiliseddebits);
  return json({
    dhanClientId: instance.id,
    // Dhan's own spelling of the key.
    availabelBalance: round2(cash + collateral),
    sodLimit: round2(cash + utilised - num(f.m2mrealized)),
    collateralAmount: collateral,
    receiveableAmount: 0,
    utilizedAmount: utilised,
    blockedPayoutAmount: 0,
    withdrawableBalance: round2(Math.max(0, cash)),
  });
}

export function profile(instance: InstanceState, tokenExpiresAt: number): Reply {
  const t = new Date(tokenExpiresAt + 19_800_000).toISOString();
  return json({
    dhanClientId: instance.id,
    tokenValidity: `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 16)}`,
    activeSegment: "Equity, Derivative, Currency, Commodity",
    ddpi: "Active",
    mtf: "Active",
    dataPlan: "Active",
    dataValidity: `${t.slice(0, 10)} 00:00:00.0`,
  });
}

/** `POST /marketfeed/{ltp|ohlc|quote}` with `{ "<segment>": [securityId, ...] }`; unknown ids are left out. */
export function marketFeed(ctx: NativeContext, kind: string, b: Record<string, unknown>): Reply {
  const index = scripIndex(ctx.market);
  const out: Record<string, Record<string, Row>> = {};
  let asked = 0;
  for (const [segment, ids] of Object.entries(b)) {
    if (!Array.isArray(ids)) return dhanError("input", `Expected a list of security ids for ${segment}`);
    asked += ids.length;
    for (const id of ids) {
      const s = index.byId(segment, String(id));
      const d = s ? ctx.market.depth(s.inst.symbol, s.inst.exchange) : undefined;
      if (!s || !d) continue;
      const q = d.quote;
      const ohlc = { open: q.open, close: q.prevClose, high: q.high, low: q.low };
      let row: Row = { last_price: q.ltp };
      if (kind === "ohlc") row = { last_price: q.ltp, ohlc };
      if (kind === "quote") {
        const level = (l: { price: number; quantity: number; orders: number }) => ({
          quantity: l.quantity,
          orders: l.orders,
          price: l.price,
        });
        const ist = new Date(q.ts + 19_800_000).toISOString();
        row = {
          average_price: q.ltp,
          buy_quantity: d.bids.reduce((n, l) => n + l.quantity, 0),
          depth: { buy: d.bids.map(level), sell: d.asks.map(level) },
          last_price: q.ltp,
          last_quantity: s.inst.lotsize,
          last_trade_time: `${ist.slice(8, 10)}/${ist.slice(5, 7)}/${ist.slice(0, 4)} ${ist.slice(11, 19)}`,
          lower_circuit_limit: round2(q.prevClose * 0.8),
          net_change: round2(q.ltp - q.prevClose),
          ohlc,
          oi: q.oi,
          oi_day_high: q.oi,
          oi_day_low: q.oi,
          sell_quantity: d.asks.reduce((n, l) => n + l.quantity, 0),
          upper_circuit_limit: round2(q.prevClose * 1.2),
          volume: q.volume,
        };
      }
      (out[segment] ??= {})[String(id)] = row;
    }
  }
  // Dhan takes up to 1000 instruments per call.
  if (asked > 1000) return dhanError("input", "At most 1000 instruments per request");
  return json({ data: out, status: "success" });
}
