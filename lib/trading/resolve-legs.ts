/**
 * Resolve a strategy's legs ONCE per run, shared by every account (same strike, symbol, lot size and price for
 * all): expiry from the actual expiry list, strike from spot / offset / premium, the contract's lot size and
 * freeze quantity (broker /symbol values win when valid) and the order price.
 */
import Decimal from "decimal.js";
import {
  lotSizeFor,
  sliceQuantityFor,
  type DerivativeExchange,
  type InstrumentSettings,
  type InstrumentSettingsTable,
  instrumentSettingsFor,
} from "./instruments";
import {
  atmStrike,
  futureSymbol,
  isOnStrikeGrid,
  optionSymbol,
  parseDerivativeSymbol,
  strikeAtOffset,
  type OptionType,
} from "./symbols";
import { resolveExpiry } from "./expiry-choice";
import { isOnTick, protectedLimitPrice } from "./order-price";
import { premiumNearStrike } from "./premium-near";
import type { InstrumentKind, OrderAction, StrategyDefinition, StrategyLeg } from "./strategy";

/** Lot size / freeze quantity OpenAlgo's /symbol reported for a contract (freeze 1 means unknown). */
export interface SymbolInfo {
  lotSize?: number | null;
  freezeQty?: number | null;
}

export interface MarketSnapshot {
  /** Index spot per upper-case underlying, from the primary account. */
  spot: Readonly<Record<string, Decimal>>;
  /** Expiry lists (ISO dates) per upper-case underlying: options (weekly or monthly) and futures (monthly). */
  expiries: Readonly<Record<string, { options?: readonly string[]; futures?: readonly string[] }>>;
  instruments: InstrumentSettingsTable;
  /** LTP (₹ per unit) by OpenAlgo symbol: option-chain premiums (premium-near) and the resolved contracts' quotes. */
  quotes?: Readonly<Record<string, Decimal>>;
  /** Per-symbol values from OpenAlgo's /symbol, keyed by OpenAlgo symbol. */
  symbolInfo?: Readonly<Record<string, SymbolInfo>>;
  /** Strikes searched either side of ATM for premium-near (default 20). */
  premiumSearchWidth?: number;
  /** Exchange holidays (IST dates): they place the current series' monthly expiry that picks a contract's lot size. */
  holidays?: ReadonlySet<string>;
}

export interface ResolvedLeg {
  /** Position of the leg in the strategy definition (stable: part of every intent id). */
  legIndex: number;
  underlying: string;
  /** `equity` only for manual tickets on a cash-segment symbol (lib/trading/ticket.ts). */
  instrument: InstrumentKind | "equity";
  action: OrderAction;
  optionType: OptionType | null;
  symbol: string;
  /** F&O exchange for strategy legs; a ticket may also trade on NSE/BSE. */
  exchange: DerivativeExchange | "NSE" | "BSE";
  expiry: string;
  strike: Decimal | null;
  /** Units per lot of this contract month. */
  lotSize: number;
  /** Max units per order; null when unknown (orders are then not sliced). */
  freezeQty: number | null;
  /** Where `freezeQty` came from: the broker's and the settings' values (null = unknown); the smaller one applies. */
  freezeSources?: FreezeSources;
  /** Max lots per slice = floor(freeze ÷ lot); null when the freeze quantity is unknown. */
  sliceLots: number | null;
  priceType: "MARKET" | "LIMIT";
  /** Limit price (₹ per unit) for LIMIT / protected LIMIT; null for MARKET. */
  price: Decimal | null;
  /** LTP used for the protected limit (or seen at resolution), null when none was quoted. */
  referencePrice: Decimal | null;
  warnings: string[];
}

/**
 * The run-wide leg of an order on a symbol that is already known (an exit's, a copied master trade's): nothing to
 * resolve, the contract's sizes as given. For display and slicing: each account's own leg carries the exact order.
 */
export function legOfSymbol(o: {
  legIndex: number;
  symbol: string;
  exchange: string;
  action: OrderAction;
  lotSize: number;
  freezeQty: number | null;
  priceType?: ResolvedLeg["priceType"];
  price?: Decimal | null;
}): ResolvedLeg {
  const parsed = parseDerivativeSymbol(o.symbol);
  return {
    legIndex: o.legIndex,
    underlying: parsed?.underlying ?? o.symbol,
    instrument: parsed?.kind === "option" ? "options" : parsed?.kind === "future" ? "futures" : "equity",
    action: o.action,
    optionType: parsed?.kind === "option" ? parsed.optionType : null,
    symbol: o.symbol,
    exchange: o.exchange as ResolvedLeg["exchange"],
    expiry: parsed?.expiry ?? "",
    strike: null,
    lotSize: o.lotSize,
    freezeQty: o.freezeQty,
    sliceLots: o.freezeQty === null ? null : Math.floor(o.freezeQty / o.lotSize),
    priceType: o.priceType ?? "MARKET",
    price: o.price ?? null,
    referencePrice: null,
    warnings: [],
  };
}

export type LegResolutionErrorCode =
  | "unknown_underlying"
  | "missing_expiries"
  | "expiry_unavailable"
  | "missing_spot"
  | "invalid_strike"
  | "no_premium_quotes"
  | "missing_reference_price"
  | "limit_price_off_tick"
  | "freeze_below_lot";

export interface LegResolutionError {
  legIndex: number;
  code: LegResolutionErrorCode;
  message: string;
}

export type ResolveLegsResult = { ok: true; legs: ResolvedLeg[] } | { ok: false; errors: LegResolutionError[] };

const validInt = (v: number | null | undefined): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const positive = (v: Decimal | undefined): v is Decimal => v !== undefined && v.isFinite() && v.gt(0);

type Step<T> = { ok: true; value: T } | { ok: false; code: LegResolutionErrorCode; message: string };
const fail = <T>(code: LegResolutionErrorCode, message: string): Step<T> => ({ ok: false, code, message });

function resolveStrike(
  leg: StrategyLeg & { instrument: "options" },
  settings: InstrumentSettings,
  expiry: string,
  snapshot: MarketSnapshot,
  warnings: string[],
): Step<Decimal> {
  const sel = leg.strike;
  if (sel.kind === "exact") {
    if (!isOnStrikeGrid(sel.strike, settings.strikeStep)) {
      return fail(
        "invalid_strike",
        `strike ${sel.strike.toString()} is not on the ${settings.strikeStep} grid of ${leg.underlying}`,
      );
    }
    return { ok: true, value: sel.strike };
  }
  const spot = snapshot.spot[leg.underlying];
  if (!positive(spot)) return fail("missing_spot", `no positive spot price for ${leg.underlying}`);
  const atm = atmStrike(spot, settings.strikeStep);
  if (sel.kind === "premium_near") {
    const found = premiumNearStrike({
      underlying: leg.underlying,
      expiry,
      optionType: leg.optionType,
      atm: new Decimal(atm),
      step: new Decimal(settings.strikeStep),
      width: snapshot.premiumSearchWidth ?? 20,
      target: sel.targetPremium,
      quotes: snapshot.quotes ?? {},
    });
    if (!found.ok) return fail("no_premium_quotes", found.message);
    if (found.warning) warnings.push(found.warning);
    return { ok: true, value: found.strike };
  }
  const strike = new Decimal(
    strikeAtOffset(atm, settings.strikeStep, sel.kind === "ATM" ? "ATM" : `${sel.kind}${sel.n}`, leg.optionType),
  );
  if (strike.lte(0))
    return fail(
      "invalid_strike",
      `${sel.kind}${sel.kind === "ATM" ? "" : sel.n} lies below zero for ${leg.underlying}`,
    );
  return { ok: true, value: strike };
}

export interface FreezeSources {
  broker: number | null;
  settings: number | null;
}

export type ContractSizes =
  | {
      ok: true;
      value: { lotSize: number; freezeQty: number | null; sliceLots: number | null; freezeSources: FreezeSources };
    }
  | { ok: false; code: "freeze_below_lot"; message: string };

/**
 * Lot size and freeze quantity of one contract. Lot size: the broker's /symbol value when valid, else the instrument
 * settings' (of the contract's series). Freeze quantity: the SMALLER of the broker's (1 = unknown) and the settings'
 * — an admin who lowers it after an exchange revision is obeyed even while a broker still reports the old, larger
 * value, and a broker that already knows a lower one is obeyed too. Shared by strategy legs and manual tickets.
 * Pushes human-readable notes onto `warnings`.
 */
export function contractSizes(
  settings: InstrumentSettings,
  symbol: string,
  expiry: string,
  today: string,
  info: SymbolInfo | undefined,
  warnings: string[],
  holidays?: ReadonlySet<string>,
): ContractSizes {
  const seededLot = lotSizeFor(settings, expiry, today, holidays);
  let lotSize = seededLot;
  if (validInt(info?.lotSize)) {
    lotSize = info.lotSize;
    if (lotSize !== seededLot)
      warnings.push(`broker lot size ${lotSize} differs from the settings' ${seededLot}; using the broker's`);
  }
  // A freeze of 1 is OpenAlgo's "unknown"; a freeze below one lot is not a usable value either.
  const usable = (f: number | null | undefined): f is number => validInt(f) && f !== 1 && f >= lotSize;
  const freezeSources: FreezeSources = {
    broker: usable(info?.freezeQty) ? info.freezeQty : null,
    settings: usable(settings.freezeQty) ? settings.freezeQty : null,
  };
  if (freezeSources.settings === null && validInt(settings.freezeQty) && settings.freezeQty !== 1) {
    return {
      ok: false,
      code: "freeze_below_lot",
      message: `freeze quantity ${settings.freezeQty} of ${symbol} is smaller than one lot of ${lotSize}`,
    };
  }
  const known = [freezeSources.broker, freezeSources.settings].filter((f): f is number => f !== null);
  if (known.length === 0) {
    warnings.push(`freeze quantity of ${symbol} is unknown: orders will not be sliced`);
    return { ok: true, value: { lotSize, freezeQty: null, sliceLots: null, freezeSources } };
  }
  const freezeQty = Math.min(...known);
  if (known.length === 2 && freezeSources.broker !== freezeSources.settings) {
    warnings.push(
      `freeze quantity: broker ${freezeSources.broker}, settings ${freezeSources.settings}; the smaller (${freezeQty}) applies`,
    );
  }
  const slice = sliceQuantityFor(lotSize, freezeQty);
  return { ok: true, value: { lotSize, freezeQty, sliceLots: slice === null ? null : slice / lotSize, freezeSources } };
}

function resolveLeg(leg: StrategyLeg, legIndex: number, snapshot: MarketSnapshot, today: string): Step<ResolvedLeg> {
  const settings = instrumentSettingsFor(leg.underlying, snapshot.instruments);
  if (!settings) return fail("unknown_underlying", `no instrument settings for ${leg.underlying}`);
  const lists = snapshot.expiries[leg.underlying];
  const list = leg.instrument === "options" ? lists?.options : lists?.futures;
  if (!list || list.length === 0)
    return fail("missing_expiries", `no ${leg.instrument} expiry list for ${leg.underlying}`);
  const cadence = leg.instrument === "options" && settings.expiry.weekly ? "weekly" : "monthly";
  const expiryResult = resolveExpiry(leg.expiry, list, today, cadence, settings.expiry.weekday);
  if (!expiryResult.ok)
    return fail(
      "expiry_unavailable",
      `${leg.underlying} ${leg.instrument} ${leg.expiry}: ${expiryResult.error.message}`,
    );
  const expiry = expiryResult.expiry;

  const warnings: string[] = [];
  let strike: Decimal | null = null;
  let symbol: string;
  if (leg.instrument === "options") {
    const s = resolveStrike(leg, settings, expiry, snapshot, warnings);
    if (!s.ok) return s;
    strike = s.value;
    symbol = optionSymbol(leg.underlying, expiry, strike, leg.optionType);
  } else {
    symbol = futureSymbol(leg.underlying, expiry);
  }

  const sizes = contractSizes(
    settings,
    symbol,
    expiry,
    today,
    snapshot.symbolInfo?.[symbol],
    warnings,
    snapshot.holidays,
  );
  if (!sizes.ok) return sizes;

  const quote = snapshot.quotes?.[symbol];
  const referencePrice = positive(quote) ? quote : null;
  let priceType: ResolvedLeg["priceType"] = "MARKET";
  let price: Decimal | null = null;
  const ot = leg.orderType;
  if (ot.kind === "LIMIT") {
    if (!isOnTick(ot.price, settings.tickSize))
      return fail(
        "limit_price_off_tick",
        `limit price ${ot.price.toString()} is not a multiple of the tick ${settings.tickSize}`,
      );
    priceType = "LIMIT";
    price = ot.price;
  } else if (ot.kind === "PROTECTED_LIMIT") {
    // Never price from a zero, missing or stale fallback quote (never-again list, item 6).
    if (referencePrice === null)
      return fail("missing_reference_price", `no positive LTP for ${symbol} to protect the limit price`);
    priceType = "LIMIT";
    price = protectedLimitPrice(referencePrice, ot.bandPercent, leg.action, settings.tickSize);
  }

  return {
    ok: true,
    value: {
      legIndex,
      underlying: settings.underlying,
      instrument: leg.instrument,
      action: leg.action,
      optionType: leg.instrument === "options" ? leg.optionType : null,
      symbol,
      exchange: settings.exchange,
      expiry,
      strike,
      ...sizes.value,
      priceType,
      price,
      referencePrice,
      warnings,
    },
  };
}

/**
 * Resolves every leg of a strategy against one market snapshot. `today` is the IST trading date. Returns all the
 * legs, or every error found (one per failing leg) so the preview can show them together.
 */
export function resolveLegs(
  strategy: Pick<StrategyDefinition, "legs">,
  snapshot: MarketSnapshot,
  today: string,
): ResolveLegsResult {
  const legs: ResolvedLeg[] = [];
  const errors: LegResolutionError[] = [];
  strategy.legs.forEach((leg, legIndex) => {
    const r = resolveLeg({ ...leg, underlying: leg.underlying.toUpperCase() }, legIndex, snapshot, today);
    if (r.ok) legs.push(r.value);
    else errors.push({ legIndex, code: r.code, message: `leg ${legIndex + 1}: ${r.message}` });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, legs };
}
