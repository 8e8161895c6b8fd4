/**
 * The simulated clock. `realtime` follows the wall clock (optionally accelerated by `speed`) from an anchor;
 * `fixed` only moves when told to (tests, replays). Switching modes keeps the current simulated time.
 */
import type { SimClock } from "@/lib/simulator/types";

export interface ClockOptions {
  mode: "realtime" | "fixed";
  /** Simulated ms per real ms in realtime mode (default 1). */
  speed?: number;
  /** Simulated epoch ms at creation (default: the wall clock). */
  startAt?: number;
}

/** `wallNow` is injectable so tests can drive the realtime mode without sleeping. */
export function createClock(opts: ClockOptions, wallNow: () => number = Date.now): SimClock {
  let mode = opts.mode;
  let speed = checkSpeed(opts.speed ?? 1);
  // Simulated time = anchorSim + (wall - anchorWall) × speed in realtime mode; anchorSim in fixed mode.
  let anchorSim = opts.startAt ?? wallNow();
  let anchorWall = wallNow();

  const now = (): number => (mode === "fixed" ? anchorSim : Math.floor(anchorSim + (wallNow() - anchorWall) * speed));
  const rebase = (sim: number): void => {
    anchorSim = sim;
    anchorWall = wallNow();
  };

  return {
    now,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`advance() needs a non-negative number of ms, got ${ms}`);
      rebase(now() + ms);
    },
    set(epochMs: number) {
      if (!Number.isFinite(epochMs)) throw new RangeError(`set() needs an epoch ms, got ${epochMs}`);
      rebase(Math.floor(epochMs));
    },
    mode: () => mode,
    setMode(next, nextSpeed) {
      const current = now();
      mode = next;
      if (nextSpeed !== undefined) speed = checkSpeed(nextSpeed);
      rebase(current);
    },
  };
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`Clock speed must be positive, got ${speed}`);
  return speed;
}
