/**
 * The live option chain (docs/market-data.md "Option chain"): the chain of an underlying and expiry read once from
 * the owner's market-data source, then kept live from the quote store and the browser channels of the worker's
 * feed while a view is open. IV and greeks are derived from the live prices in the browser
 * (lib/trading/option-chain-view.ts).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { Actor } from "@/lib/auth/roles";
import type { Exchange, OptionChain } from "@/lib/brokers/market-types";
import { env } from "@/lib/env";
import type { PreparedFrame } from "@/lib/realtime/sse";
import { ValidationError } from "@/lib/errors";
import { isIsoDate } from "@/lib/trading/calendar";
import { marketSourceFor, type MarketSource } from "@/lib/services/market-data";
import { tradingSettings } from "@/lib/services/settings";
import { atmFor, buildSnapshot, liveSpot, type ChainSnapshot, type ChainState } from "./snapshot";
import { startChainStream, type ChainEvent } from "./stream";

export type { ChainContract, ChainRow, ChainSnapshot } from "./snapshot";
export type { ChainEvent, ChainQuote } from "./stream";

/** Strikes each side of ATM: 20 by default, at most 50 (201 contracts leased at depth per open view). */
export const CHAIN_MAX_STRIKES = 50;

const underlying = z
  .string()
  .trim()
  .min(1, "Choose an underlying")
  .max(20)
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z][A-Z0-9&-]*$/, "Not an underlying symbol"));

export const chainQuerySchema = z.object({
  underlying,
  expiry: z.string().max(10).refine(isIsoDate, "Expiry must be a YYYY-MM-DD date"),
  strikes: z.coerce
    .number("Strikes must be a number")
    .int("Strikes must be a whole number")
    .min(1, "At least 1 strike each side")
    .max(CHAIN_MAX_STRIKES, `At most ${CHAIN_MAX_STRIKES} strikes each side`)
    .default(20),
});
export type ChainQuery = z.infer<typeof chainQuerySchema>;

export const expiriesQuerySchema = z.object({ underlying: underlying.optional() });

async function instrumentOf(name: string) {
  const { instruments } = await tradingSettings();
  const s = instruments[name];
  if (!s) {
    const known = Object.keys(instruments).sort().join(", ");
    throw new ValidationError(`Unknown underlying ${name}; choose one of ${known}`, {
      underlying: [`Unknown underlying (one of ${known})`],
    });
  }
  return s;
}

/** Underlyings with option chains (the instrument settings) and the option expiries of one (default the first). */
export async function chainExpiries(actor: Actor, query: z.infer<typeof expiriesQuerySchema>) {
  const { instruments } = await tradingSettings();
  const underlyings = Object.keys(instruments).sort((a, b) =>
    a === "NIFTY" ? -1 : b === "NIFTY" ? 1 : a.localeCompare(b),
  );
  const name = query.underlying ?? underlyings[0];
  const s = await instrumentOf(name);
  const market = await marketSourceFor(actor.id);
  const expiries = await market.adapter.expiries(name, s.exchange as Exchange, "options");
  return { underlyings, underlying: name, exchange: s.exchange, expiries, source: market.note() };
}

/**
 * How long one chain read serves every view of the same owner, underlying and expiry opened meanwhile: a page load
 * (first read + stream) or many tabs opened together cost one broker call, not one each. The chain gives strikes,
 * symbols and starting figures; live quotes take over at once.
 */
const CHAIN_READ_SHARED_MS = 3_000;
const chainReads = new Map<string, { at: number; read: Promise<{ market: MarketSource; chain: OptionChain }> }>();

function readChain(actor: Actor, query: ChainQuery, indexExchange: Exchange, now = Date.now()) {
  for (const [k, v] of chainReads) if (now - v.at >= CHAIN_READ_SHARED_MS) chainReads.delete(k);
  const key = `${actor.id}|${query.underlying}|${query.expiry}`;
  const hit = chainReads.get(key);
  if (hit) return hit.read;
  const read = (async () => {
    const market = await marketSourceFor(actor.id);
    return { market, chain: await market.adapter.optionChain(query.underlying, indexExchange, query.expiry) };
  })();
  chainReads.set(key, { at: now, read });
  // A failed read is not shared: the next view asks again.
  read.catch(() => chainReads.get(key)?.read === read && chainReads.delete(key));
  return read;
}

/** Reads the whole chain once from the owner's market-data source (primary, or a healthy one of the same kind). */
export async function loadChainState(actor: Actor, query: ChainQuery): Promise<ChainState> {
  const s = await instrumentOf(query.underlying);
  const { market, chain } = await readChain(actor, query, s.indexExchange as Exchange);
  if (chain.rows.length === 0) {
    throw new ValidationError(`No ${query.underlying} options expire on ${query.expiry}`, {
      expiry: ["No options listed for this expiry"],
    });
  }
  return {
    kind: market.note().kind,
    underlying: query.underlying,
    exchange: s.exchange,
    indexExchange: s.indexExchange,
    expiry: query.expiry,
    strikesEach: query.strikes,
    chain,
  };
}

/** The chain view once (the page's first load); the stream keeps it live. */
export async function chainSnapshot(actor: Actor, query: ChainQuery, now = Date.now()): Promise<ChainSnapshot> {
  const state = await loadChainState(actor, query);
  const spot = await liveSpot(state);
  return buildSnapshot(state, atmFor(state, spot ? new Decimal(spot.ltp) : null), spot, now);
}

/**
 * Starts a live view of a chain loaded with `loadChainState` (for a stream of `userEventStream`). Its lease is
 * renewed on the stream's heartbeat interval and lives three of them (at least 45 s), so a web process that dies
 * stops counting within that time.
 */
export function openChainStream(state: ChainState, send: (event: ChainEvent | PreparedFrame) => void) {
  const renewMs = env().SSE_HEARTBEAT_MS;
  return startChainStream(state, send, { renewMs, ttlMs: Math.max(45_000, 3 * renewMs) });
}
