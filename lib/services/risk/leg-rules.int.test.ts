/**
 * Leg stop-loss and take-profit watched by the engine (docs/risk.md "Leg rules"): a run of two legs on different
 * underlyings (NIFTY and BANKNIFTY futures), one of them pushed through its level: that leg is exited in every account
 * through a LEG exit, once; the other leg stays open and the run stays armed.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import {
  armed,
  futLeg,
  heldAt,
  jump,
  moreSweeps,
  openRun,
  riskDesk,
  riskStrategy,
  snapshotWhen,
  strategyOf,
  WAIT,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { waitForExit } from "@/lib/testing/exits-kit";
import type { RiskRulesInput } from "@/lib/trading/risk/rules";

const INSTANCES = instanceConfigs(2, "lr");
const world = useIntegrationWorld(INSTANCES);

/** Opens the two-leg run, waits for it to be watched live, moves NIFTY, and waits for leg 0's exit to be done. */
async function legFires(nifty: "BUY" | "SELL", legs: RiskRulesInput["legs"], percent: number) {
  const { trader, accounts } = await riskDesk(world, INSTANCES);
  const strategy = await strategyOf(
    trader,
    riskStrategy([futLeg("NIFTY", nifty), futLeg("BANKNIFTY", "BUY")], { legs, maxLoss: "500000" }),
  );
  const runId = await openRun(trader, strategy.id);
  await snapshotWhen(runId, (s) => s.live && s.rules.every((r) => r.state === "armed"), "both legs watched live");
  await jump(world.sim, percent);
  const event = await waitFor(
    "the leg's EXIT event with its exit",
    () => db().riskEvent.findFirst({ where: { runId, action: "EXIT" } }),
    (e) => e !== null && e.exitId !== null,
    WAIT,
  );
  const exit = await waitForExit(event!.exitId!, WAIT);
  return { runId, accounts, event: event!, exit };
}

/** Every instance holds only the BANKNIFTY leg (one lot bought), the NIFTY leg is flat. */
function onlyBankNiftyLeft() {
  for (const inst of INSTANCES) {
    const held = [...heldAt(world.sim, inst.id)];
    expect(held).toHaveLength(1);
    expect(held[0][0]).toMatch(/^BANKNIFTY\w+FUT\|NFO\|NRML$/);
    expect(held[0][1]).toBeGreaterThan(0);
  }
}

describe("leg rules watched by the engine", () => {
  it("a SELL leg's stop-loss above its entry exits that leg in every account; the other leg stays", async () => {
    // 100 points above the short NIFTY future's entry; +1 % is about 260 points.
    const { runId, accounts, event, exit } = await legFires(
      "SELL",
      [{ legIndex: 0, stopLoss: { kind: "points", value: "100" } }],
      1,
    );
    expect(event).toMatchObject({ rule: "LEG_STOP_LOSS", legIndex: 0 });
    expect(exit).toMatchObject({ status: "DONE", scope: "LEG", reason: "RISK", runId, legIndex: 0 });
    expect(exit.targetKey).toBe(`leg:${runId}:0`);
    expect(exit.accounts.map((a) => a.accountId).sort()).toEqual(accounts.map((a) => a.id).sort());
    onlyBankNiftyLeft();
    expect(Number(event.observed)).toBeGreaterThanOrEqual(Number(event.threshold));
    const row = await armed(runId);
    expect(row).toMatchObject({ firedRule: null, firedLegs: [0] });
    // The run stays watched: later sweeps fire nothing more.
    await moreSweeps(2);
    expect(await db().exit.count({ where: { runId, reason: "RISK" } })).toBe(1);
    expect(await db().riskEvent.count({ where: { runId, action: "EXIT" } })).toBe(1);
    await jump(world.sim, -1);
  });

  it("a BUY leg's take-profit above its entry exits that leg once; the other leg stays", async () => {
    const { runId, event, exit } = await legFires(
      "BUY",
      [
        { legIndex: 0, takeProfit: { kind: "percent", value: "0.5" } },
        { legIndex: 1, stopLoss: { kind: "percent", value: "5" } },
      ],
      1,
    );
    expect(event).toMatchObject({ rule: "LEG_TAKE_PROFIT", legIndex: 0 });
    expect(exit).toMatchObject({ status: "DONE", scope: "LEG", reason: "RISK", legIndex: 0 });
    onlyBankNiftyLeft();
    const snapshot = await snapshotWhen(runId, (s) => s.rules.some((r) => r.legIndex === 0 && r.state === "fired"));
    expect(snapshot.rules.find((r) => r.legIndex === 1)).toMatchObject({ rule: "LEG_STOP_LOSS", state: "armed" });
    await moreSweeps(2);
    expect(await db().exit.count({ where: { runId, reason: "RISK" } })).toBe(1);
    await jump(world.sim, -1);
  });
});
