/**
 * The Supertrend exit end to end (docs/risk.md "Supertrend"): a short run armed with a 1-minute Supertrend of period 2,
 * the live feed streaming the simulator's prices, `/_sim/market/jump` moving NIFTY, and the sweep driven by an injected
 * clock advanced minute by minute (behind the feed's clock, so every price stays fresh). The combined premium of a
 * short future trends up, against the position: exactly one SUPERTREND exit, none during the warm-up, and the
 * indicator kept on the run continues after the process forgets its own.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readQuotes } from "@/lib/services/market-data";
import { resetRiskEngineState, sweepRisk, type RiskClock } from "@/lib/services/risk";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import {
  armed,
  contractOf,
  firedExit,
  futLeg,
  heldAt,
  jump,
  openRun,
  riskDesk,
  riskStrategy,
  riskTrail,
  simPost,
  stallAndFlagContract,
  strategyOf,
  unstallContract,
  WAIT,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { bucketStart } from "@/lib/trading/risk/candles";
import type { RiskSnapshot } from "@/lib/trading/risk/snapshot";
import type { SupertrendState } from "@/lib/trading/risk/supertrend";

const INSTANCES = instanceConfigs(1, "st");
const world = useIntegrationWorld(INSTANCES);

const MINUTE = 60_000;
// A test that fails midway must not leave a contract stalled or prices moved for the next one.
afterEach(() => simPost(world.sim, "/reset", {}));

const SUPERTREND = { supertrend: { timeframeMinutes: 1 as const, period: 2, multiplier: "1" } };

/**
 * A short NIFTY future run armed with a 1-minute, period-2 Supertrend, and a sweep at minute k of an injected clock:
 * 5 s into a 1-minute bucket an hour behind the feed (a quote stamped after the clock is fresh).
 */
async function shortRun() {
  const { trader, accounts } = await riskDesk(world, INSTANCES, { engine: false });
  const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "SELL")], SUPERTREND));
  const runId = await openRun(trader, strategy.id);
  const t0 = bucketStart(Date.now() - 60 * MINUTE, 1) + 5_000;
  const clock = (k: number): RiskClock => ({ now: new Date(t0 + k * MINUTE), alwaysOpen: true });
  const row = async () => {
    const r = await armed(runId);
    return {
      firedRule: r.firedRule,
      snapshot: r.snapshot as unknown as RiskSnapshot,
      kept: (r.state as { supertrend?: SupertrendState }).supertrend ?? null,
    };
  };
  const sweepAt = (k: number) => sweepRisk(clock(k));
  // Minute 0: the first sample, once the contract is quoted live.
  await waitFor(
    "a live first sample",
    async () => {
      await sweepAt(0);
      return (await row()).snapshot;
    },
    (s) => s?.live === true,
    WAIT,
  );
  return { accounts, runId, sweepAt, row, contract: await contractOf(runId) };
}

describe("supertrend exit", () => {
  it("a short run exits once when the premium's trend turns up on a closed candle, never during the warm-up", async () => {
    const { accounts, runId, sweepAt, row, contract } = await shortRun();
    const ltp = async () => (await readQuotes("simulated", [contract.key])).get(contract.key)?.ltp ?? null;
    /** Jumps NIFTY and waits until the run's contract is quoted at the new price. */
    const move = async (percent: number) => {
      const before = await ltp();
      await jump(world.sim, percent);
      await waitFor("the jump quoted by the feed", ltp, (v) => v !== null && v !== before, WAIT);
    };
    expect((await row()).snapshot.rules).toEqual([
      expect.objectContaining({ rule: "SUPERTREND", state: "armed", note: "warming up: 0 closed candles" }),
    ]);

    // Warm-up: the premium goes against the short (+1 %) while fewer than period + 1 candles have closed.
    await move(1);
    expect(await sweepAt(1)).toMatchObject({ runsFired: 0 });
    expect(await sweepAt(2)).toMatchObject({ runsFired: 0 });
    const warmed = await row();
    expect(warmed.firedRule).toBeNull();
    // Two candles closed: the first direction is a default (down), not a turn.
    expect(warmed.snapshot.supertrend).toMatchObject({ direction: "down", candles: 2, timeframeMinutes: 1 });
    expect(warmed.kept?.core.candles).toBe(2);
    expect(await sweepAt(3)).toMatchObject({ runsFired: 0 });

    // A restart: the process forgets its state; the one kept when minute 3 closed a candle (with the candle it had
    // just begun) continues.
    resetRiskEngineState();
    await move(1);
    expect(await sweepAt(4)).toMatchObject({ runsFired: 0 });
    expect((await row()).firedRule).toBeNull();
    // Minute 5 closes minute 4's candle, above the upper band: the trend turns up, against the short.
    expect(await sweepAt(5)).toMatchObject({ runsFired: 1 });
    const { row: fired, exit } = await firedExit(runId);
    expect(fired.firedRule).toBe("SUPERTREND");
    expect(exit).toMatchObject({ scope: "RUN", reason: "RISK", runId });
    expect(exit.accounts.map((a) => a.accountId)).toEqual([accounts[0].id]);
    await waitFor(
      "the short covered",
      async () => heldAt(world.sim, INSTANCES[0].id).size,
      (n) => n === 0,
      WAIT,
    );
    const snapshot = fired.snapshot as unknown as RiskSnapshot;
    expect(snapshot.supertrend).toMatchObject({ direction: "up", candles: 5 });
    expect(snapshot.rules).toEqual([expect.objectContaining({ rule: "SUPERTREND", state: "fired" })]);

    // More sweeps change nothing: one exit, one EXIT event, for the Supertrend.
    expect(await sweepAt(6)).toMatchObject({ runsFired: 0 });
    const { exits, events } = await riskTrail(runId);
    expect(exits).toHaveLength(1);
    expect(events.filter((e) => e.action === "EXIT").map((e) => e.rule)).toEqual(["SUPERTREND"]);
    expect(events.find((e) => e.action === "EXIT")?.message).toContain("Supertrend");
  });

  it("a stale price never steps it: the candles wait, the rule is skipped, and it fires on fresh prices after", async () => {
    const { runId, sweepAt, row, contract } = await shortRun();
    expect(await sweepAt(1)).toMatchObject({ runsFired: 0 });
    expect(await sweepAt(2)).toMatchObject({ runsFired: 0 });
    expect((await row()).kept?.core).toMatchObject({ candles: 2, direction: "down" });

    // Stalled and flagged, then the market jumps 2 % against the short: nothing reaches the candles.
    await stallAndFlagContract(world.sim, contract);
    await jump(world.sim, 2);
    for (const k of [3, 4, 5]) expect(await sweepAt(k)).toMatchObject({ runsFired: 0 });
    const during = await row();
    expect(during.firedRule).toBeNull();
    expect(during.kept?.core.candles).toBe(2);
    expect(during.snapshot.supertrend).toMatchObject({ candles: 2, direction: "down" });
    expect(during.snapshot.rules).toEqual([
      expect.objectContaining({
        rule: "SUPERTREND",
        state: "skipped_stale",
        note: expect.stringContaining(contract.key),
      }),
    ]);
    expect((await riskTrail(runId)).events.map((e) => e.action)).toEqual(["SKIPPED_STALE"]);

    // Live again: minute 6 samples the jumped premium (closing minute 2's candle), minute 7 closes it: the turn.
    await unstallContract(world.sim, contract);
    expect(await sweepAt(6)).toMatchObject({ runsFired: 0 });
    expect((await row()).kept?.core.candles).toBe(3);
    expect(await sweepAt(7)).toMatchObject({ runsFired: 1 });
    const { row: fired } = await firedExit(runId);
    expect(fired.firedRule).toBe("SUPERTREND");
    const { exits, events } = await riskTrail(runId);
    expect(exits).toHaveLength(1);
    expect(events.map((e) => e.action)).toEqual(["SKIPPED_STALE", "EXIT"]);
  });
});
