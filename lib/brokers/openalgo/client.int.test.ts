/**
 * Transport behaviour the simulator cannot produce on demand: a peer that drops the connection before answering
 * (what a stale pooled keep-alive socket looks like). A real node:http server on an ephemeral port plays that peer.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { createOpenAlgoAdapter } from "./adapter";
import { FUNDS_LIVE_STRINGS } from "@/lib/testing/openalgo-fixtures";
import { OpenAlgoTransport } from "./client";

let server: Server;
let base: string;
let gate: RateGovernor;
/** Requests seen, by path, with their bodies and content types. */
let seen: { path: string; body: Record<string, unknown>; contentType?: string }[] = [];
/** Per path: how many of the first requests to drop without answering. */
let drop: Record<string, number> = {};
/** TCP connections accepted by the server. */
let connections = 0;

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = req.url ?? "";
    seen.push({ path, body: await readJson(req), contentType: req.headers["content-type"] });
    if ((drop[path] ?? 0) > 0) {
      drop[path]--;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(path.endsWith("/funds") ? FUNDS_LIVE_STRINGS : `{"status":"success","orderid":"1"}`);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/i/demo1`;
  gate = new RateGovernor({ keyPrefix: `md:test-client:${randomUUID()}` });
});
beforeEach(() => {
  seen = [];
  drop = {};
  connections = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeRateGovernor();
  await disconnectRedis();
});

describe("OpenAlgo transport", () => {
  it("posts JSON with the key in the body to ${base}/api/v1/<name>", async () => {
    const t = new OpenAlgoTransport(`${base}/`);
    const out = await t.post("funds", { apikey: "k-1" });
    t.close();
    expect(out).toMatchObject({ kind: "response", status: 200 });
    expect(seen).toEqual([{ path: "/i/demo1/api/v1/funds", body: { apikey: "k-1" }, contentType: "application/json" }]);
  });

  it("keeps connections alive and shares them between clients of one host", async () => {
    const a = new OpenAlgoTransport(base);
    const b = new OpenAlgoTransport(`${base}/`);
    for (let i = 0; i < 3; i++) expect((await a.post("funds", { apikey: "k-1" })).kind).toBe("response");
    for (let i = 0; i < 3; i++) expect((await b.post("funds", { apikey: "k-2" })).kind).toBe("response");
    a.close();
    b.close();
    expect(seen).toHaveLength(6);
    expect(connections).toBe(1);
  });

  it("reports a drop before any answer byte as a reset after sending", async () => {
    drop["/i/demo1/api/v1/funds"] = 1;
    const t = new OpenAlgoTransport(base);
    const out = await t.post("funds", { apikey: "k-1" });
    t.close();
    expect(out).toMatchObject({ kind: "failure", code: "reset", sent: true, responded: false });
  });

  it("reads retry once after such a reset", async () => {
    drop["/i/demo1/api/v1/funds"] = 1;
    const a = createOpenAlgoAdapter({ accountId: "t", hostUrl: base, apiKey: "k-1" }, { gate });
    const f = await a.funds();
    await a.close();
    expect(f.cash.toString()).toBe("320.66");
    expect(seen.filter((s) => s.path.endsWith("/funds"))).toHaveLength(2);
  });

  it("reads give up after the second reset", async () => {
    drop["/i/demo1/api/v1/funds"] = 2;
    const a = createOpenAlgoAdapter({ accountId: "t", hostUrl: base, apiKey: "k-1" }, { gate });
    await expect(a.funds()).rejects.toThrow(/reset|hang up|ECONNRESET/i);
    await a.close();
    expect(seen).toHaveLength(2);
  });

  it("placeorder is sent exactly once and a reset makes it unknown", async () => {
    drop["/i/demo1/api/v1/placeorder"] = 1;
    const a = createOpenAlgoAdapter({ accountId: "t", hostUrl: base, apiKey: "k-1" }, { gate });
    const r = await a.placeOrder({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      priceType: "MARKET",
      product: "MIS",
      strategy: "s",
    });
    await a.close();
    expect(r.kind).toBe("unknown");
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toEqual({
      apikey: "k-1",
      strategy: "s",
      exchange: "NSE",
      symbol: "SBIN",
      action: "BUY",
      quantity: 1,
      pricetype: "MARKET",
      product: "MIS",
      price: "0",
      trigger_price: "0",
      disclosed_quantity: 0,
    });
  });
});
