/**
 * The Supertrend exit end to end (docs/risk.md "Supertrend"): a short run armed with a 1-minute Supertrend of period 2,
 * the live feed streaming the simulator's prices, `/_sim/market/jump` moving NIFTY, and the sweep driven by an injected
 * clock advanced minute by minute (behind the feed's clock, so every price stays fresh). The combined premium of a
 * short future trends up, against the position: exactly one SUPERTREND exit, none during the warm-up, and the
 * indicator kept on the run continues after the process forgets its own.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { liveKey, readQuotes } from "@/lib/services/market-data";
import { resetRiskEngineState, sweepRisk, type RiskClock } from "@/lib/services/risk";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import {
  armed,
  firedExit,
  futLeg,
  heldAt,
  jump,
  openRun,
  riskDesk,
  riskStrategy,
  riskTrail,
  strategyOf,
  WAIT,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { bucketStart } from "@/lib/trading/risk/candles";
import type { RiskSnapshot } from "@/lib/trading/risk/snapshot";
import type { SupertrendState } from "@/lib/trading/risk/supertrend";

const INSTANCES = instanceConfigs(1, "st");
const world = useIntegrationWorld(INSTANCES);

const MINUTE = 60_000;

describe("supertrend exit", () => {
  it("a short run exits once when the premium's trend turns up on a closed candle, never during the warm-up", async () => {
    const { trader, accounts } = await riskDesk(world, INSTANCES, { engine: false });
    const strategy = await strategyOf(
      trader,
      riskStrategy([futLeg("NIFTY", "SELL")], { supertrend: { timeframeMinutes: 1, period: 2, multiplier: "1" } }),
    );
    const runId = await openRun(trader, strategy.id);
    const intent = await db().orderIntent.findFirstOrThrow({ where: { runId } });
    const key = liveKey(intent.exchange, intent.symbol);
    const ltp = async () => (await readQuotes("simulated", [key])).get(key)?.ltp ?? null;

    // Minute k of the injected clock: 5 s into a 1-minute bucket an hour behind the feed.
    const t0 = bucketStart(Date.now() - 60 * MINUTE, 1) + 5_000;
    const clock = (k: number): RiskClock => ({ now: new Date(t0 + k * MINUTE), alwaysOpen: true });
    const sweepAt = (k: number) => sweepRisk(clock(k));
    const row = async () => {
      const r = await armed(runId);
      return {
        firedRule: r.firedRule,
        snapshot: r.snapshot as unknown as RiskSnapshot,
        kept: (r.state as { supertrend?: SupertrendState }).supertrend ?? null,
      };
    };
    /** Jumps NIFTY and waits until the run's contract is quoted at the new price. */
    const move = async (percent: number) => {
      const before = await ltp();
      await jump(world.sim, percent);
      await waitFor("the jump quoted by the feed", ltp, (v) => v !== null && v !== before, WAIT);
    };

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
    await jump(world.sim, -2);
  });
});
