/**
 * Direct broker connectors load on first use (docs/performance.md "Memory"): a process that never builds a Kite
 * adapter never loads the Kite SDK. A kind's light half (credentials, wording, default limits: what forms and account
 * validation need) is imported eagerly; its runtime (adapter, probe, login and the SDK behind them) is imported the
 * first time any of them is called. The adapter is built synchronously as a stand-in that loads the runtime on its
 * first call and then forwards every call to the real adapter.
 */
import type { BrokerProbe, BrokerWording } from "@/lib/brokers/connection";
import type { BrokerLogin } from "@/lib/brokers/login";
import type { RateLimits } from "@/lib/brokers/rate-governor";
import type { AdapterDeps, CredentialSchema } from "@/lib/brokers/registry";
import type { AdapterConfig, BrokerAdapter, BrokerKind } from "@/lib/brokers/types";

/** The heavy half of a direct broker: everything that needs its SDK or its HTTP code. */
export interface BrokerRuntime {
  probe: BrokerProbe;
  login: BrokerLogin;
  createAdapter(config: AdapterConfig, deps: AdapterDeps): BrokerAdapter;
}

type Method = Exclude<keyof BrokerAdapter, "kind" | "accountId" | "close">;
/** Every adapter method, and whether the contract lets a kind leave it out (exhaustive by type). */
const METHODS = {
  ping: "required",
  funds: "required",
  orders: "required",
  trades: "required",
  positions: "required",
  holdings: "required",
  quote: "required",
  depth: "required",
  symbolInfo: "required",
  searchSymbols: "required",
  expiries: "required",
  optionChain: "required",
  placeOrder: "required",
  modifyOrder: "required",
  cancelOrder: "required",
  orderStatus: "required",
  holidays: "optional",
  timings: "optional",
  subscribeOrderUpdates: "optional",
  openMarketFeed: "optional",
  probeClock: "optional",
} as const satisfies Record<Method, "required" | "optional">;
export type OptionalMethod = { [K in Method]: (typeof METHODS)[K] extends "optional" ? K : never }[Method];

/** The optional methods an adapter has. */
export function optionalMethodsOf(adapter: BrokerAdapter): OptionalMethod[] {
  return (Object.keys(METHODS) as Method[]).filter(
    (m): m is OptionalMethod => METHODS[m] === "optional" && typeof adapter[m] === "function",
  );
}

/** A direct broker as its folder's index.ts declares it: the light half, and how to load the rest. */
export interface DirectBroker {
  credentials: CredentialSchema;
  wording: BrokerWording;
  defaultLimits: RateLimits;
  /**
   * The optional methods the kind's adapter implements: the stand-in must know them before the runtime loads, since
   * callers test for them. A test compares this list with the real adapter.
   */
  optional: readonly OptionalMethod[];
  /** Whether its login renews a session without the trader (`BrokerLogin.refresh`); the same test checks it. */
  renews: boolean;
  load(): Promise<BrokerRuntime>;
}

/** `load`, once: concurrent callers share one import, and a failed import is tried again by the next caller. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}

/** The stand-in adapter: built at once, forwarding every call to the adapter `build` resolves to. */
export function deferredAdapter(
  kind: BrokerKind,
  accountId: string,
  optional: readonly OptionalMethod[],
  build: () => Promise<BrokerAdapter>,
): BrokerAdapter {
  let real: BrokerAdapter | undefined;
  let closed = false;
  const load = once(async () => {
    const adapter = await build();
    // Closed before it was built (its account changed): release what it opened once its caller is done.
    if (closed) void adapter.close();
    return (real = adapter);
  });
  const stand: Record<string, unknown> = {
    kind,
    accountId,
    async close() {
      closed = true;
      await real?.close();
    },
  };
  for (const [name, need] of Object.entries(METHODS) as [Method, string][]) {
    if (need === "optional" && !optional.includes(name as OptionalMethod)) continue;
    stand[name] = async (...args: unknown[]) => {
      const adapter = real ?? (await load());
      const method = adapter[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (!method) throw new TypeError(`The ${kind} adapter has no ${name}`);
      return method.apply(adapter, args);
    };
  }
  return stand as unknown as BrokerAdapter;
}

/** The registry's view of a direct broker: probe and login forward to the runtime, loaded on their first call. */
export function lazyBrokerParts(broker: DirectBroker, kind: BrokerKind) {
  const runtime = once(broker.load);
  const probe: BrokerProbe = {
    api: async (...a) => (await runtime()).probe.api(...a),
    ws: async (...a) => (await runtime()).probe.ws(...a),
  };
  const login: BrokerLogin = {
    start: async (...a) => (await runtime()).login.start(...a),
    readCallback: async (...a) => (await runtime()).login.readCallback(...a),
    exchange: async (...a) => (await runtime()).login.exchange(...a),
    ...(broker.renews
      ? {
          async refresh(...a: Parameters<NonNullable<BrokerLogin["refresh"]>>) {
            const real = (await runtime()).login;
            if (!real.refresh) throw new TypeError(`The ${kind} login cannot renew a session`);
            return real.refresh(...a);
          },
        }
      : {}),
  };
  return {
    credentials: broker.credentials,
    wording: broker.wording,
    defaultLimits: broker.defaultLimits,
    probe,
    login,
    preload: async () => void (await runtime()),
    createAdapter: (config: AdapterConfig, deps: AdapterDeps) =>
      deferredAdapter(kind, config.accountId, broker.optional, async () =>
        (await runtime()).createAdapter(config, deps),
      ),
  };
}
