/**
 * Direct connectors load on first use: each kind's declared optional methods and renewal match its real adapter and
 * login, and the stand-in adapter forwards calls, shares one load, retries a failed one and closes what it built.
 */
import { describe, expect, it, vi } from "vitest";
import { angelBroker } from "@/lib/brokers/angel";
import {
  type BrokerRuntime,
  deferredAdapter,
  type DirectBroker,
  once,
  optionalMethodsOf,
} from "@/lib/brokers/deferred";
import { dhanBroker } from "@/lib/brokers/dhan";
import { fyersBroker } from "@/lib/brokers/fyers";
import { upstoxBroker } from "@/lib/brokers/upstox";
import { zerodhaBroker } from "@/lib/brokers/zerodha";
import type { BrokerAdapter } from "@/lib/brokers/types";

const DIRECT: Record<string, DirectBroker> = {
  zerodha: zerodhaBroker,
  upstox: upstoxBroker,
  fyers: fyersBroker,
  dhan: dhanBroker,
  angel: angelBroker,
};

const config = {
  accountId: "acc-1",
  hostUrl: "http://127.0.0.1:9/x",
  apiKey: "key-123456",
  apiSecret: "secret-123456",
  clientId: "C123",
};

describe("direct broker declarations", () => {
  it.each(Object.entries(DIRECT))(
    "%s declares exactly its adapter's optional methods and its login's renewal",
    async (_kind, broker) => {
      const runtime: BrokerRuntime = await broker.load();
      const adapter = runtime.createAdapter(config, {});
      try {
        expect(optionalMethodsOf(adapter).sort()).toEqual([...broker.optional].sort());
        expect(typeof runtime.login.refresh === "function").toBe(broker.renews);
      } finally {
        await adapter.close();
      }
    },
  );
});

/** A fake adapter whose every method answers its own name. */
function fakeAdapter(closed: string[]): BrokerAdapter {
  return new Proxy({} as BrokerAdapter, {
    get: (_t, name) =>
      name === "close"
        ? async () => void closed.push("closed")
        : name === "then"
          ? undefined
          : typeof name === "string" && name !== "openMarketFeed"
            ? async (...args: unknown[]) => `${name}(${args.join(",")})`
            : undefined,
  });
}

describe("deferredAdapter", () => {
  it("builds once on the first call, forwards every call and has only the declared optional methods", async () => {
    let builds = 0;
    const closed: string[] = [];
    const a = deferredAdapter("zerodha", "acc-1", ["probeClock"], async () => {
      builds++;
      return fakeAdapter(closed);
    });
    expect(a.kind).toBe("zerodha");
    expect(a.accountId).toBe("acc-1");
    expect(builds).toBe(0);
    expect(a.probeClock).toBeTypeOf("function");
    expect(a.openMarketFeed).toBeUndefined();
    expect(a.holidays).toBeUndefined();
    const [funds, quote] = await Promise.all([a.funds(), a.quote("NIFTY", "NSE_INDEX")]);
    expect(funds).toBe("funds()");
    expect(quote).toBe("quote(NIFTY,NSE_INDEX)");
    expect(builds).toBe(1);
    await a.close();
    expect(closed).toEqual(["closed"]);
  });

  it("a failed build is tried again by the next call", async () => {
    let builds = 0;
    const a = deferredAdapter("dhan", "acc-2", [], async () => {
      builds++;
      if (builds === 1) throw new Error("import failed");
      return fakeAdapter([]);
    });
    await expect(a.ping()).rejects.toThrow("import failed");
    expect(await a.ping()).toBe("ping()");
    expect(builds).toBe(2);
  });

  it("closed while its build is under way: the built adapter is released", async () => {
    const closed: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = deferredAdapter("angel", "acc-3", [], async () => {
      await gate;
      return fakeAdapter(closed);
    });
    const call = a.funds();
    await a.close();
    release();
    expect(await call).toBe("funds()");
    await vi.waitFor(() => expect(closed).toEqual(["closed"]));
  });

  it("once shares one load between concurrent callers", async () => {
    let n = 0;
    const load = once(async () => ++n);
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1]);
  });
});
