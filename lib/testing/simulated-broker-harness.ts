/**
 * Test harness for the broker's unit tests: a real market model on a fixed clock, one broker, and a `call`
 * that runs a route the way the server does (validate → session check → execute).
 */
import type { InstanceConfig, RouteResult } from "@/lib/simulator/types";
import { createMarket } from "@/lib/simulator/market/market";
import { createBroker } from "@/lib/simulator/broker/broker";
import type { SimInstance } from "@/lib/simulator/broker/instance";

/** Wednesday 25 Nov 2026, 10:30 IST: a trading day that is not a NIFTY expiry. */
export const T0 = Date.UTC(2026, 10, 25, 5, 0);

export type Body = Record<string, unknown> & { status: string; message?: unknown; orderid?: string; data?: unknown };

export function setup(cfg: Partial<InstanceConfig> = {}, startAt = T0, wallClock?: () => number) {
  const market = createMarket({ seed: 11, clock: { mode: "fixed", startAt }, alwaysOpen: true });
  const broker = createBroker(market, { seed: 11, ...(wallClock ? { wallClock } : {}) });
  const inst = broker.createInstance({ id: "acct1", apiKey: "key1", capital: "1000000", numbers: "number", ...cfg });
  const updates: Record<string, unknown>[] = [];
  broker.onOrderUpdate((_, u) => updates.push(u));

  async function call(
    name: string,
    body: Record<string, unknown>,
    instance: SimInstance = inst,
  ): Promise<RouteResult & { body: Body }> {
    const route = broker.routes[name];
    if (!route) throw new Error(`no route ${name}`);
    const checked = route.validate({ apikey: instance.apiKey, ...body }, instance.mode);
    if (!checked.ok) return checked.result as RouteResult & { body: Body };
    if (route.auth === "session" && !instance.sessionActive) {
      return { status: 403, body: { status: "error", message: "Invalid openalgo apikey" } };
    }
    return (await route.execute({ instance, market, ip: "127.0.0.1" }, checked.value)) as RouteResult & { body: Body };
  }

  /** Nearest NIFTY option expiry as `DDMMMYY`, and the option symbol `steps` strikes from ATM. */
  function option(type: "CE" | "PE", steps = 0, expiryIndex = 0): string {
    const expiry = market.expiries("NIFTY", "NFO", "options")[expiryIndex];
    const chain = market.optionChain("NIFTY", "NFO", expiry)!;
    const i = chain.rows.findIndex((r) => r.strike === chain.atmStrike) + steps;
    const leg = type === "CE" ? chain.rows[i].ce : chain.rows[i].pe;
    return leg!.instrument.symbol;
  }

  function expiry(index = 0): string {
    return market.expiries("NIFTY", "NFO", "options")[index].replace(/-/g, "");
  }

  const order = (o: Record<string, unknown>) => ({
    strategy: "t",
    exchange: "NSE",
    product: "MIS",
    pricetype: "MARKET",
    ...o,
  });

  return { market, broker, inst, updates, call, option, expiry, order };
}
