/**
 * The Risk page's API (docs/risk.md "API"): armed runs and their events as the page reads them, a live run's rules
 * changed, paused and resumed (audited, a risk event each, a user-stream event), 400 naming the field for bad input,
 * 409 once a rule fired, and 404 for a run that is not armed or is someone else's.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { GET as runsGet } from "@/app/api/risk/runs/route";
import { GET as eventsGet } from "@/app/api/risk/events/route";
import { GET as runRiskGet, PATCH as runRiskPatch } from "@/app/api/runs/[id]/risk/route";
import { POST as executePost } from "@/app/api/strategies/[id]/execute/route";
import { replayUserEvents } from "@/lib/realtime/user-events";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { futLeg, openRun, riskDesk, riskStrategy, strategyOf } from "@/lib/testing/risk-kit";
import type { RiskEventJson, RiskRunJson } from "@/lib/services/risk";
import type { RiskRulesInput } from "@/lib/trading/risk/rules";

const INSTANCES = instanceConfigs(1, "ra");
const world = useIntegrationWorld(INSTANCES);

const RULES: RiskRulesInput = {
  maxLoss: "8000",
  legs: [{ legIndex: 0, stopLoss: { kind: "points", value: "150" } }],
  timeExit: "15:10",
};

async function armedRun() {
  const { trader } = await riskDesk(world, INSTANCES, { engine: false });
  const cookie = await sessionCookie(trader);
  const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], RULES));
  const runId = await openRun(trader, strategy.id);
  return { trader, cookie, strategy, runId };
}

const armedRunStrategy = async (runId: string) => ({
  strategy: (await db().strategyRun.findUniqueOrThrow({ where: { id: runId } })).strategyId!,
});
const get = (cookie: string, runId: string) =>
  runRiskGet(jsonRequest(`/api/runs/${runId}/risk`, { cookie }), paramsOf({ id: runId }));
const patch = (cookie: string, runId: string, body: unknown) =>
  runRiskPatch(jsonRequest(`/api/runs/${runId}/risk`, { method: "PATCH", body, cookie }), paramsOf({ id: runId }));
const events = async (cookie: string, query = "") =>
  (await (await eventsGet(jsonRequest(`/api/risk/events${query}`, { cookie }))).json()) as { events: RiskEventJson[] };

describe("the Risk API", () => {
  it("lists an armed run with its rules as strings, its legs and accounts, and reads one with its events", async () => {
    const { cookie, strategy, runId } = await armedRun();
    const list = (await (await runsGet(jsonRequest("/api/risk/runs", { cookie }))).json()) as { runs: RiskRunJson[] };
    expect(list.runs).toHaveLength(1);
    const [run] = list.runs;
    expect(run).toMatchObject({
      runId,
      strategyId: strategy.id,
      strategyName: strategy.name,
      runKind: "STRATEGY",
      runStatus: "COMPLETED",
      rules: {
        maxLoss: "8000",
        legs: [{ legIndex: 0, stopLoss: { kind: "points", value: "150" } }],
        timeExit: "15:10",
      },
      legStopMode: "WATCH",
      paused: false,
      firedRule: null,
      firedAt: null,
      exitId: null,
      firedLegs: [],
      accounts: 1,
    });
    expect(run.legs).toEqual([
      { legIndex: 0, symbol: expect.stringMatching(/^NIFTY\w+FUT$/), exchange: "NFO", action: "BUY", quantity: 65 },
    ]);
    const one = await get(cookie, runId);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ runId, events: [] });
  });

  it("changes, pauses and resumes a live run's rules: audited, a risk event each, pages told at once", async () => {
    const { trader, cookie, runId } = await armedRun();
    const changed = await patch(cookie, runId, {
      rules: { ...RULES, maxLoss: "9000", trailing: { distance: { kind: "amount", value: "3000" } } },
    });
    expect(changed.status).toBe(200);
    expect((await changed.json()).rules).toMatchObject({ maxLoss: "9000", trailing: { distance: { value: "3000" } } });
    expect((await patch(cookie, runId, { paused: true })).status).toBe(200);
    expect((await db().runRisk.findUniqueOrThrow({ where: { runId } })).paused).toBe(true);
    const resumed = await patch(cookie, runId, { paused: false });
    expect((await resumed.json()).paused).toBe(false);

    const { events: list } = await events(cookie, `?runId=${runId}`);
    // One event per changed rule, and per armed rule for a pause or a resume (written together, in no set order).
    const of = (action: string) =>
      list
        .filter((e) => e.action === action)
        .map((e) => `${e.rule}${e.legIndex === null ? "" : `:${e.legIndex}`}`)
        .sort();
    expect(of("CHANGED")).toEqual(["MAX_LOSS", "TRAILING_STOP"]);
    const armedRules = ["LEG_STOP_LOSS:0", "MAX_LOSS", "TIME_EXIT", "TRAILING_STOP"];
    expect(of("PAUSED")).toEqual(armedRules);
    expect(of("RESUMED")).toEqual(armedRules);
    expect(list).toHaveLength(10);
    // Newest first: the resume's events lead.
    expect(list.slice(0, 4).every((e) => e.action === "RESUMED")).toBe(true);
    expect(list.every((e) => e.actorName === trader.name)).toBe(true);
    expect(list.find((e) => e.rule === "MAX_LOSS" && e.action === "CHANGED")!.message).toBe(
      'Changed maxLoss: "8000" → "9000"',
    );
    const audit = await db().auditLog.findMany({
      where: { entityId: runId, action: { startsWith: "risk." } },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      ["risk.change", { changed: ["maxLoss", "trailing"] }],
      ["risk.pause", {}],
      ["risk.resume", {}],
    ]);
    const logged = await replayUserEvents([trader.id], 0);
    expect(logged.events.filter((e) => e.event.type === "risk").map((e) => e.event)).toEqual([
      { type: "risk", runId, change: "rules" },
      { type: "risk", runId, change: "rules" },
      { type: "risk", runId, change: "rules" },
    ]);
    // The same again changes nothing and records nothing.
    expect((await patch(cookie, runId, { paused: false })).status).toBe(200);
    expect((await events(cookie, `?runId=${runId}`)).events).toHaveLength(list.length);
  });

  it("answers 400 naming the field for bad input", async () => {
    const { cookie, runId } = await armedRun();
    const fieldsOf = async (body: unknown) => {
      const res = await patch(cookie, runId, body);
      expect(res.status).toBe(400);
      return Object.keys((await res.json()).error.fields ?? {});
    };
    expect(await fieldsOf({})).toEqual(["rules"]);
    expect(await fieldsOf({ rules: { maxLoss: "-5" } })).toEqual(["rules.maxLoss"]);
    expect(await fieldsOf({ rules: { timeExit: "25:00" } })).toEqual(["rules.timeExit"]);
    expect(await fieldsOf({ rules: { legs: [{ legIndex: 0, stopLoss: { kind: "amount", value: "10" } }] } })).toEqual([
      "rules.legs.0.stopLoss",
    ]);
    expect(await fieldsOf({ rules: { legs: [{ legIndex: 3, stopLoss: { kind: "points", value: "10" } }] } })).toEqual([
      "rules.legs",
    ]);
    expect(await fieldsOf({ rules: { ...RULES, legStopMode: "BROKER" } })).toEqual(["rules.legStopMode"]);
    expect(await fieldsOf({ paused: "yes" })).toEqual(["paused"]);
    expect(await fieldsOf({ paused: true, extra: 1 })).toEqual(["_"]);
    // A run's own rules at Execute: checked by the same schema, and not for an adjustment.
    const { strategy } = await armedRunStrategy(runId);
    const execute = (body: unknown) =>
      executePost(jsonRequest(`/api/strategies/${strategy}/execute`, { body, cookie }), paramsOf({ id: strategy }));
    const bad = await execute({ idempotencyKey: "risk-override-0001", risk: { maxLoss: "0" } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["risk.maxLoss"]);
    const adjusted = await execute({ idempotencyKey: "risk-override-0002", legIndexes: [0], risk: { maxLoss: "5" } });
    expect(adjusted.status).toBe(400);
    expect(Object.keys((await adjusted.json()).error.fields)).toEqual(["risk"]);
    const badQuery = await eventsGet(jsonRequest("/api/risk/events?runId=nope&limit=0", { cookie }));
    expect(badQuery.status).toBe(400);
    expect(Object.keys((await badQuery.json()).error.fields).sort()).toEqual(["limit", "runId"]);
    expect((await db().runRisk.findUniqueOrThrow({ where: { runId } })).rules).toMatchObject({ maxLoss: "8000" });
  });

  it("refuses a change once a rule fired (409), and answers 404 for an unarmed run and for another owner's", async () => {
    const { trader, cookie, strategy, runId } = await armedRun();
    const unarmed = await openRun(trader, strategy.id, null);
    expect((await get(cookie, unarmed)).status).toBe(404);
    expect((await patch(cookie, unarmed, { paused: true })).status).toBe(404);

    const other = await sessionCookie(await makeUser("TRADER"));
    expect((await get(other, runId)).status).toBe(404);
    expect((await patch(other, runId, { paused: true })).status).toBe(404);
    expect(await (await runsGet(jsonRequest("/api/risk/runs", { cookie: other }))).json()).toEqual({ runs: [] });
    expect((await events(other, `?runId=${runId}`)).events).toEqual([]);

    await db().runRisk.update({ where: { runId }, data: { firedRule: "MAX_LOSS", firedAt: new Date() } });
    const refused = await patch(cookie, runId, { paused: true });
    expect(refused.status).toBe(409);
    expect((await db().runRisk.findUniqueOrThrow({ where: { runId } })).paused).toBe(false);
    // A fired run stays listed for a day.
    const list = (await (await runsGet(jsonRequest("/api/risk/runs", { cookie }))).json()) as { runs: RiskRunJson[] };
    expect(list.runs.map((r) => [r.runId, r.firedRule])).toEqual([[runId, "MAX_LOSS"]]);
  });
});
