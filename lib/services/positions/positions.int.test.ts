import Decimal from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as ledgerRoute } from "@/app/api/positions/ledger/route";
import { createAccount, invalidateBooks } from "@/lib/services/accounts";
import { adapterFor } from "@/lib/services/broker-access";

let sim: RunningSimulator;
const [A] = instanceConfigs(1, "pos");

beforeAll(async () => {
  sim = await startSim([A]);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

type Trader = Awaited<ReturnType<typeof makeUser>>;

/** A filled manual ticket in the ledger (as the fill tracker records it): one intent, fully filled. */
async function filledTicket(
  trader: Trader,
  accountId: string,
  action: "BUY" | "SELL",
  quantity: number,
  price: string,
  at: Date,
) {
  const runId = crypto.randomUUID();
  await db().strategyRun.create({
    data: { id: runId, ownerId: trader.id, kind: "TICKET", idempotencyKey: `k-${runId}`, triggeredAt: at, plan: {} },
  });
  await db().orderIntent.create({
    data: {
      id: `${runId}-0`,
      runId,
      accountId,
      legIndex: 0,
      sliceIndex: 0,
      phase: 1,
      symbol: "SBIN",
      exchange: "NSE",
      action,
      product: "CNC",
      priceType: "MARKET",
      quantity,
      state: "filled",
      sentAt: at,
      filledQuantity: quantity,
      averagePrice: new Decimal(price),
    },
  });
}

interface Row {
  runId: string | null;
  symbol: string;
  netQty: number;
  avgPrice: string | null;
  ltp: string | null;
  unrealisedPnl: string | null;
  closedOutside: boolean;
}

async function ledger(cookie: string): Promise<Row[]> {
  const res = await ledgerRoute(jsonRequest("/api/positions/ledger", { cookie }));
  expect(res.status).toBe(200);
  return (await res.json()).positions;
}

describe("positions ledger", () => {
  it("offsetting manual tickets net to one row; flat at the broker it reads 'closed outside MirrorDesk', held there it has live P&L", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const account = await createAccount(
      trader,
      {
        name: "Pos",
        kind: "OPENALGO",
        hostUrl: hostOf(sim, A.id),
        wsUrl: sim.wsUrl,
        apiKey: A.apiKey,
        isPrimary: true,
        active: true,
        tags: [],
        lotMultiplier: 1,
        maxLotsPerLeg: null,
        orderRatePerSec: 10,
        otherRatePerSec: 10,
      },
      "ip",
    );
    const t0 = Date.UTC(2026, 11, 1, 4, 0);
    await filledTicket(trader, account.id, "BUY", 3, "800", new Date(t0));
    await filledTicket(trader, account.id, "SELL", 1, "810", new Date(t0 + 60_000));
    await filledTicket(trader, account.id, "BUY", 2, "805", new Date(t0 + 120_000));

    // The broker (a fresh simulator account) holds no SBIN: the ledger's +4 was closed outside MirrorDesk.
    const flat = await ledger(cookie);
    expect(flat).toHaveLength(1);
    expect(flat[0]).toMatchObject({
      runId: null,
      symbol: "SBIN",
      netQty: 4,
      avgPrice: "802.5",
      unrealisedPnl: "0",
      closedOutside: true,
    });

    // Once the broker really holds the contract, the row is open with P&L at the live LTP.
    const [secret] = await listAccountSecrets({ ownerId: trader.id });
    const placed = await adapterFor(secret).placeOrder({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 4,
      priceType: "MARKET",
      product: "CNC",
      strategy: "outside",
    });
    expect(placed.kind).toBe("accepted");
    await invalidateBooks([account.id]);
    const [held] = await ledger(cookie);
    expect(held).toMatchObject({ netQty: 4, avgPrice: "802.5", closedOutside: false });
    expect(held.unrealisedPnl).toBe(new Decimal(held.ltp!).minus("802.5").times(4).toString());
  });
});
