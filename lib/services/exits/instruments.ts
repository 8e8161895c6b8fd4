import type { BrokerAdapter } from "@/lib/brokers/types";
import { plannedContractSizes } from "@/lib/db/queries/exit-scope";
import { istDateOf } from "@/lib/trading/calendar";
import { instrumentKey, type ExitInstrument } from "@/lib/trading/exit-plan";
import { instrumentSettingsFor, lotSizeFor } from "@/lib/trading/instruments";
import { parseDerivativeSymbol } from "@/lib/trading/symbols";
import { currentFreeze, type SharedFreezes } from "./freeze";
import type { ExitPorts } from "./ports";

/** Lot sizes by owner and contract, kept briefly: an exit's accounts trade the same contracts. */
const sizeCache = new Map<string, { at: number; value: ExitInstrument | null }>();
const SIZE_TTL_MS = 60_000;

/**
 * Contract sizes for slicing an exit, read at send time. The lot size comes from the owner's runs (else the
 * instrument settings). The freeze quantity is the CURRENT one — the smallest of the broker's symbol info read now,
 * the admin's instrument setting, and a limit learned from a freeze rejection today (lib/services/exits/freeze.ts) —
 * never the entry's: the exchange revises freeze limits, and an exit sliced to a stale one is rejected every time.
 * An exit drive passes `shared`: its accounts on one broker share that broker's freeze answers for a few seconds.
 */
export async function instrumentsFor(
  ownerId: string,
  adapter: BrokerAdapter,
  contracts: readonly { symbol: string; exchange: string }[],
  ports: Pick<ExitPorts, "tradingSettings" | "expiryHolidaySet">,
  shared?: SharedFreezes,
): Promise<Map<string, ExitInstrument>> {
  const out = new Map<string, ExitInstrument>();
  const now = Date.now();
  const missing = contracts.filter((c) => {
    const hit = sizeCache.get(`${ownerId}|${instrumentKey(c.exchange, c.symbol)}`);
    if (!hit || now - hit.at > SIZE_TTL_MS) return true;
    if (hit.value) out.set(instrumentKey(c.exchange, c.symbol), hit.value);
    return false;
  });
  if (missing.length > 0) {
    const found = await lookupSizes(ownerId, missing, ports);
    for (const c of missing) {
      const k = instrumentKey(c.exchange, c.symbol);
      const value = found.get(k) ?? null;
      sizeCache.set(`${ownerId}|${k}`, { at: now, value });
      if (value) out.set(k, value);
    }
  }
  const unique = new Map(contracts.map((c) => [instrumentKey(c.exchange, c.symbol), c]));
  const { instruments } = await ports.tradingSettings();
  await Promise.all(
    [...unique].map(async ([k, c]) => {
      const sizes = out.get(k);
      if (!sizes) return;
      const parsed = parseDerivativeSymbol(c.symbol);
      const setting = parsed ? (instrumentSettingsFor(parsed.underlying, instruments)?.freezeQty ?? null) : null;
      const freezeQty = await currentFreeze(adapter, c, setting, shared);
      out.set(k, { ...sizes, freezeQty: freezeQty ?? sizes.freezeQty });
    }),
  );
  return out;
}

async function lookupSizes(
  ownerId: string,
  contracts: readonly { symbol: string; exchange: string }[],
  ports: Pick<ExitPorts, "tradingSettings" | "expiryHolidaySet">,
): Promise<Map<string, ExitInstrument>> {
  const out = await plannedContractSizes(
    ownerId,
    contracts.map((c) => c.symbol),
  );
  const missing = contracts.filter((c) => !out.has(instrumentKey(c.exchange, c.symbol)));
  if (missing.length === 0) return out;
  const { instruments } = await ports.tradingSettings();
  const today = istDateOf(Date.now());
  const holidays = await ports.expiryHolidaySet(today);
  for (const c of missing) {
    const parsed = parseDerivativeSymbol(c.symbol);
    const s = parsed ? instrumentSettingsFor(parsed.underlying, instruments) : undefined;
    if (parsed && s && s.exchange === c.exchange)
      out.set(instrumentKey(c.exchange, c.symbol), {
        lotSize: lotSizeFor(s, parsed.expiry, today, holidays),
        freezeQty: s.freezeQty,
      });
  }
  return out;
}
