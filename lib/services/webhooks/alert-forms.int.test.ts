/**
 * Every accepted alert form over a real socket, in both content types TradingView uses (application/json when its
 * message is valid JSON, text/plain otherwise): filled in, it is accepted with the right from → to; with a
 * placeholder TradingView left unfilled, it is refused 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { ironCondor, linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { makeWebhook, postAlert, startHookServer } from "@/lib/testing/webhook-kit";

// Dozens of alerts from one address: lift the rate limits this file is not about (read on first use).
process.env.WEBHOOK_RATE_PER_MIN = "100000";
process.env.WEBHOOK_IP_RATE_PER_MIN = "100000";

const INSTANCES = instanceConfigs(1, "af");
const world = useIntegrationWorld(INSTANCES);
let server: Awaited<ReturnType<typeof startHookServer>>;
beforeAll(async () => {
  server = await startHookServer();
});
afterAll(() => server.close());

type Mode = "LONG" | "SHORT" | "BOTH";
/** One fresh strategy (flat) with a webhook in `mode` per alert. */
async function freshHook(user: Awaited<ReturnType<typeof makeUser>>, mode: Mode) {
  const strategy = await makeStrategy(user, ironCondor());
  return server.url((await makeWebhook({ id: strategy.id, ownerId: user.id }, { mode })).token);
}

const SMART = { apikey: "", strategy: "TradingView Strategy", symbol: "NIFTY", exchange: "NFO", pricetype: "MARKET" };
const FILLED: { form: string; mode: Mode; body: () => string; to: "LONG" | "SHORT" }[] = [
  {
    form: "MirrorDesk JSON",
    mode: "LONG",
    body: () => JSON.stringify({ action: "ENTRY", id: "1-2026", ts: new Date().toISOString() }),
    to: "LONG",
  },
  {
    form: "OpenAlgo strategy JSON, LONG mode",
    mode: "LONG",
    body: () => JSON.stringify({ symbol: "NIFTY", action: "BUY", position_size: "1" }),
    to: "LONG",
  },
  {
    form: "OpenAlgo strategy JSON, SHORT mode",
    mode: "SHORT",
    body: () => JSON.stringify({ symbol: "NIFTY", action: "SELL", position_size: "-1" }),
    to: "SHORT",
  },
  {
    form: "OpenAlgo strategy JSON, BOTH mode",
    mode: "BOTH",
    body: () => JSON.stringify({ symbol: "NIFTY", action: "SELL", position_size: -2 }),
    to: "SHORT",
  },
  {
    form: "smart-order JSON",
    mode: "BOTH",
    body: () => JSON.stringify({ ...SMART, action: "BUY", product: "MIS", quantity: "65", position_size: "65" }),
    to: "LONG",
  },
];

const UNFILLED: { form: string; mode: Mode; body: string; field: string }[] = [
  { form: "MirrorDesk JSON", mode: "LONG", body: '{"action":"ENTRY","id":"{{strategy.order.id}}"}', field: "id" },
  {
    form: "OpenAlgo strategy JSON",
    mode: "LONG",
    body: '{"symbol":"NIFTY","action":"{{strategy.order.action}}"}',
    field: "action",
  },
  {
    form: "OpenAlgo strategy JSON, BOTH mode",
    mode: "BOTH",
    body: '{"symbol":"NIFTY","action":"BUY","position_size":"{{strategy.position_size}}"}',
    field: "position_size",
  },
  {
    form: "smart-order JSON",
    mode: "BOTH",
    body: JSON.stringify({ ...SMART, action: "BUY", quantity: "{{strategy.order.contracts}}", position_size: "1" }),
    field: "quantity",
  },
  { form: "plain text", mode: "LONG", body: "{{strategy.market_position}}", field: "body" },
];

const CONTENT_TYPES = ["application/json", "text/plain; charset=utf-8"];

describe("every accepted form, in both content types", () => {
  it("filled in: 202 with the right from → to, one ACCEPTED row each", async () => {
    const user = await makeUser("TRADER");
    await linkAccounts(world.sim, user, INSTANCES);
    for (const contentType of CONTENT_TYPES)
      for (const c of FILLED) {
        const res = await postAlert(await freshHook(user, c.mode), c.body(), { contentType });
        expect({ form: c.form, contentType, status: res.status, json: res.json }).toMatchObject({
          status: 202,
          json: { status: "accepted", action: "ENTRY", from: "FLAT", to: c.to },
        });
      }
    // Plain text is not JSON: TradingView sends it as text/plain, and each word works on its own.
    for (const [word, mode, to] of [
      ["ENTRY", "LONG", "LONG"],
      ["entry short", "BOTH", "SHORT"],
      ["SHORT", "SHORT", "SHORT"],
    ] as const) {
      const res = await postAlert(await freshHook(user, mode), word, { contentType: "text/plain" });
      expect({ word, status: res.status, json: res.json }).toMatchObject({
        status: 202,
        json: { from: "FLAT", to },
      });
    }
    expect(await db().signal.count({ where: { verdict: "ACCEPTED" } })).toBe(2 * FILLED.length + 3);
  });

  it("a placeholder TradingView did not fill: 400 naming the field, nothing accepted", async () => {
    const user = await makeUser("TRADER");
    await linkAccounts(world.sim, user, INSTANCES);
    for (const contentType of CONTENT_TYPES)
      for (const c of UNFILLED) {
        const res = await postAlert(await freshHook(user, c.mode), c.body, { contentType });
        const error = res.json.error as { message: string; fields?: Record<string, unknown> } | undefined;
        expect({ form: c.form, contentType, status: res.status }).toEqual({ form: c.form, contentType, status: 400 });
        expect(Object.keys(error?.fields ?? {}), `${c.form} (${contentType})`).toContain(c.field);
        expect(error?.message).toMatch(/\{\{/);
      }
    expect(await db().signal.count({ where: { verdict: "ACCEPTED" } })).toBe(0);
    expect(await db().signal.count({ where: { status: 400 } })).toBe(2 * UNFILLED.length);
  });
});
