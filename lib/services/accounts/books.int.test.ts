import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { POST as createRoute } from "@/app/api/accounts/route";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";

let sim: RunningSimulator;
const [LIVE] = instanceConfigs(1, "books");

beforeAll(async () => {
  sim = await startSim([LIVE]);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

async function place(order: Record<string, unknown>) {
  const res = await fetch(`${hostOf(sim, LIVE.id)}/api/v1/placeorder`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apikey: LIVE.apiKey,
      strategy: "test",
      exchange: "NSE",
      symbol: "SBIN",
      action: "BUY",
      quantity: "3",
      product: "MIS",
      ...order,
    }),
  });
  return ((await res.json()) as { orderid: string }).orderid;
}

describe("orders book", () => {
  it("shows a filled MARKET order's average fill price from the trade book when the live order book has none", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const linked = await createRoute(
      jsonRequest("/api/accounts", {
        body: { name: "Live", hostUrl: hostOf(sim, LIVE.id), wsUrl: sim.wsUrl, apiKey: LIVE.apiKey },
        cookie,
      }),
    );
    const accountId = (await linked.json()).account.id as string;
    const market = await place({ pricetype: "MARKET" });
    const resting = await place({ pricetype: "LIMIT", price: "1" });

    const book = async (name: "orders" | "trades") =>
      (await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: accountId, book: name }))).json())
        .data;
    const trades = (await book("trades")) as { orderId: string; averagePrice: string; quantity: number }[];
    const fill = trades.filter((t) => t.orderId === market);
    expect(fill.map((t) => t.quantity)).toEqual([3]);
    const orders = (await book("orders")) as {
      orderId: string;
      priceType: string;
      price: string;
      filledQuantity: number;
      averagePrice: string | null;
    }[];
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    expect(byId.get(market)).toMatchObject({
      priceType: "MARKET",
      price: "0",
      filledQuantity: 3,
      averagePrice: fill[0].averagePrice,
    });
    expect(byId.get(resting)).toMatchObject({ priceType: "LIMIT", price: "1", filledQuantity: 0, averagePrice: null });
  });
});
