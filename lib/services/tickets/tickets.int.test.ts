import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as runsRoute } from "@/app/api/runs/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { POST as ticketPreviewRoute } from "@/app/api/ticket/preview/route";
import { AppError } from "@/lib/errors";
import { istDateOf, istInstant } from "@/lib/trading/calendar";
import { executeTicket, previewTicket, ticketExecuteSchema } from ".";
import { linkAccounts, ordersByTag, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";

let sim: RunningSimulator;
const INSTANCES = instanceConfigs(2, "tk");

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(async () => {
  await resetState();
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

async function setup() {
  const user = await makeUser("TRADER");
  const accounts = await linkAccounts(sim, user, INSTANCES);
  return { user, cookie: await sessionCookie(user), accountIds: accounts.map((a) => a.id) };
}

const sbin = (accountIds: string[]) => ({
  accountIds,
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  lots: 3,
  product: "CNC",
  priceType: "MARKET",
});

describe("ticket execute: one run per idempotency key", () => {
  it("the same key sent twice at once and once more later makes one run and one order per account at the exchange", async () => {
    const { cookie, accountIds } = await setup();
    const worker = await startDispatchWorker();
    try {
      const body = { ...sbin(accountIds), idempotencyKey: "3f2c1a9e-7b7d-4c52-9f0e-2a51c3d4e5f6" };
      // A click whose answer was lost, and the second click that follows it, both reach the server.
      const [a, b] = await Promise.all([
        ticketExecuteRoute(jsonRequest("/x", { body, cookie })),
        ticketExecuteRoute(jsonRequest("/x", { body, cookie })),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      const runId = (await a.json()).runId as string;
      expect((await b.json()).runId).toBe(runId);
      await waitForRun(runId);
      const again = await ticketExecuteRoute(jsonRequest("/x", { body, cookie }));
      expect([again.status, (await again.json()).runId]).toEqual([200, runId]);
      expect(await db().strategyRun.count()).toBe(1);
      expect(await db().orderIntent.count()).toBe(2);
      const sent = ordersByTag(
        sim,
        INSTANCES.map((i) => i.id),
      );
      expect([...sent.values()]).toEqual([1, 1]);
      expect(INSTANCES.map((i) => sim.broker.receivedOrders(i.id).map((o) => [o.symbol, o.quantity]))).toEqual([
        [["SBIN", 3]],
        [["SBIN", 3]],
      ]);
      expect(worker.errors).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it("a run is found by the key its click carried, only by its owner; a malformed key is a 400 naming the field", async () => {
    const { cookie, accountIds } = await setup();
    const key = "9d8e7f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    const created = await ticketExecuteRoute(
      jsonRequest("/x", { body: { ...sbin(accountIds), idempotencyKey: key }, cookie }),
    );
    const { runId } = await created.json();
    const lookup = async (c: string, k: string) =>
      runsRoute(jsonRequest(`/api/runs?idempotencyKey=${encodeURIComponent(k)}`, { cookie: c }));
    expect((await (await lookup(cookie, key)).json()).runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect((await (await lookup(cookie, "00000000-0000-4000-8000-000000000000")).json()).runs).toEqual([]);
    const stranger = await sessionCookie(await makeUser("TRADER"));
    expect((await (await lookup(stranger, key)).json()).runs).toEqual([]);
    const bad = await lookup(cookie, "%25abc_def%");
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["idempotencyKey"]);
  });
});

describe("ticket preview: margin and the MIS cut-off", () => {
  it("shows each account's margin need against its funds, as strategies do", async () => {
    const { cookie, accountIds } = await setup();
    const res = await ticketPreviewRoute(
      jsonRequest("/x", { body: { ...sbin(accountIds), priceType: "LIMIT", price: "800" }, cookie }),
    );
    expect(res.status).toBe(200);
    const { preview } = await res.json();
    // A cash-segment BUY: its full value (₹800 × 3) from cash, against the simulator's ₹20 lakh per account.
    expect(
      preview.accounts.map((a: Record<string, unknown>) => [
        a.status,
        a.marginSource,
        a.marginNeeded,
        a.marginAvailable,
      ]),
    ).toEqual([
      ["planned", "cash", "2400", "2000000"],
      ["planned", "cash", "2400", "2000000"],
    ]);
    expect(preview.totals.marginNeeded).toBe("4800");
  });

  it("refuses MIS from 15:15 IST at preview and execute, naming the product; nothing is stored or sent", async () => {
    const { user, accountIds } = await setup();
    const today = istDateOf(Date.now());
    const clock = (time: string) => ({ now: new Date(istInstant(today, time)), alwaysOpen: false });
    const req = ticketExecuteSchema.parse({
      ...sbin(accountIds),
      product: "MIS",
      idempotencyKey: "5a6b7c8d-0000-4000-8000-000000000001",
    });
    const refusal = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      );
      return e instanceof AppError ? [e.status, Object.keys(e.fields ?? {})] : e;
    };
    expect(await refusal(previewTicket(user, req, clock("15:15")))).toEqual([400, ["product"]]);
    expect(await refusal(executeTicket(user, req, "127.0.0.1", clock("15:16")))).toEqual([400, ["product"]]);
    expect(await db().strategyRun.count()).toBe(0);
    // Before the cut-off, and any time for delivery (CNC) or with the market switched always open, it plans.
    expect((await previewTicket(user, req, clock("15:14"))).accounts.map((a) => a.status)).toEqual([
      "planned",
      "planned",
    ]);
    expect((await previewTicket(user, { ...req, product: "CNC" }, clock("15:20"))).accounts).toHaveLength(2);
    expect((await previewTicket(user, req, { ...clock("15:20"), alwaysOpen: true })).accounts).toHaveLength(2);
    expect(INSTANCES.flatMap((i) => sim.broker.receivedOrders(i.id))).toEqual([]);
  });
});
